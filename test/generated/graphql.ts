/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A 64-bit integer (money in minor or nano units), serialised as a decimal string. */
  BigInt: { input: string; output: string; }
  /** An ISO-8601 timestamp in UTC. */
  DateTime: { input: string; output: string; }
  JSON: { input: unknown; output: unknown; }
};

export type ComponentStatus = {
  __typename?: 'ComponentStatus';
  detail?: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  ok: Scalars['Boolean']['output'];
};

export type Health = {
  __typename?: 'Health';
  components: Array<ComponentStatus>;
  ok: Scalars['Boolean']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Puts a dead or pending delivery back in line for an immediate attempt (platform admin). */
  replayDelivery: OutboxMessage;
};


export type MutationReplayDeliveryArgs = {
  id: Scalars['ID']['input'];
};

export type Node = {
  id: Scalars['ID']['output'];
};

export type OutboxMessage = Node & {
  __typename?: 'OutboxMessage';
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  deliveredAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  nextAttemptAt: Scalars['DateTime']['output'];
  orderingKey?: Maybe<Scalars['String']['output']>;
  payload: Scalars['JSON']['output'];
  requestId?: Maybe<Scalars['String']['output']>;
  status: OutboxStatus;
  topic: Scalars['String']['output'];
};

export enum OutboxStatus {
  Dead = 'dead',
  Delivered = 'delivered',
  Pending = 'pending',
  Processing = 'processing'
}

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** Readiness of the gateway and the services it depends on (same as GET /readyz). */
  health: Health;
  node?: Maybe<Node>;
  nodes: Array<Maybe<Node>>;
  /** Deliveries to external systems (platform admin). */
  outboxDeliveries: QueryOutboxDeliveriesConnection;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type QueryOutboxDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<OutboxStatus>>;
  topic?: InputMaybe<Scalars['String']['input']>;
};

export type QueryOutboxDeliveriesConnection = {
  __typename?: 'QueryOutboxDeliveriesConnection';
  edges: Array<QueryOutboxDeliveriesConnectionEdge>;
  pageInfo: PageInfo;
};

export type QueryOutboxDeliveriesConnectionEdge = {
  __typename?: 'QueryOutboxDeliveriesConnectionEdge';
  cursor: Scalars['String']['output'];
  node: OutboxMessage;
};
