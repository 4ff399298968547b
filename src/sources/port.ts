// Source port: anything that yields CloudTrail objects (files, S3 objects, stdin) with a stable identity.

/** One object a source can read. `identity` changes whenever the content may have changed. */
export interface SourceObject {
  /** Stable identity for checkpoints: location plus version (etag, or size and mtime). */
  identity: string;
  /** Where it is, for people: a path, `s3://bucket/key`, or `-`. */
  uri: string;
  /** The path or key, used to recognise the CloudTrail key layout (account, region, digest folders). */
  key: string;
  /** Size in bytes when known before reading. */
  size: number | null;
  read(): Promise<Buffer>;
  /** User metadata (S3's `x-amz-meta-*`, names without the prefix, lowercase), where the source has any. */
  metadata?(): Promise<Record<string, string>>;
}

export interface Source {
  /** Lists the objects to ingest; filters (time, accounts, regions) are already applied. */
  list(): AsyncIterable<SourceObject>;
}

/** Filters that prune a listing by the CloudTrail key layout. Times are epoch milliseconds. */
export interface ListingFilter {
  since?: number;
  until?: number;
  accounts?: readonly string[];
  regions?: readonly string[];
}

/** A failure to read a source that a user can fix (missing path, no access, bad URL). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** A message of a notification queue (SQS). */
export interface QueueMessage {
  id: string;
  receipt: string;
  body: string;
  /** How many times the queue has handed this message out, this time included. */
  receiveCount: number;
}

/** A queue of object-created notifications: received, then removed once their objects are stored. */
export interface NotificationQueue {
  receive(max: number): Promise<QueueMessage[]>;
  remove(messages: readonly QueueMessage[]): Promise<void>;
  close(): Promise<void>;
}
