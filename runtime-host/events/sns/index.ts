export { SnsSource, type SnsSourceOptions } from './sns-source';
