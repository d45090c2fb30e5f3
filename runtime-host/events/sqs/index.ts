export { SqsSource } from './sqs-source';
export { localQueueUrl } from './sqs-api';
