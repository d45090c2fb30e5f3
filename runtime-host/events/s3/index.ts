export { S3Source, type S3SourceOptions } from './s3-source';
