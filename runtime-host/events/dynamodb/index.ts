export { DynamoDbSource, type DynamoDbSourceOptions } from './dynamodb-source';
