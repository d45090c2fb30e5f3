export { StreamsSource, type StreamsSourceOptions } from './streams-source';
