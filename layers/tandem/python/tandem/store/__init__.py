"""The only modules that talk to AWS: the table (PynamoDB), the bucket, the mail queue, SES and
the signing secret. Everything above this package is plain Python."""
