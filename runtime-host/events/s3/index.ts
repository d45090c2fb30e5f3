export { S3Source, type S3SourceOptions, BUCKETS_DIR_ENV } from './s3-source';
