/**
 * `@marquee/mesh`: the runtime every Marquee process shares. For services:
 */
export { Audience, accessOf, authorize } from "./access.js";
export { ensureDevKeys, mintDevToken } from "./auth/dev-keys.js";
export {
  type IdentityRevocationOptions,
  identityRevokedSubjects,
  type RevokedSubjectsSource,
  type RevokedSubjectsWatcher,
  type RevokedSubjectsWatcherOptions,
  refusingRevoked,
  watchIdentityRevocations,
  watchRevokedSubjects,
} from "./auth/revoked-subjects.js";
export { mfaRequiredType, requireSecondFactor } from "./auth/second-factor.js";
export { createServiceTokenMinter, type ServiceTokenMinter } from "./auth/service-token.js";
export { readSigningKey } from "./auth/signing-key.js";
export { bearerToken, createTokenVerifier, type TokenVerifier } from "./auth/verify-token.js";
export { type CallOptions, type ClientOptions, createClient, type MeshClient } from "./client.js";
export { clientIpHeader } from "./client-ip.js";
export {
  address,
  boolean,
  ConfigError,
  describeConfig,
  integer,
  loadConfig,
  loadConfigOrExit,
  oneOf,
  port,
  type Setting,
  secret,
  string,
  url,
  type Values,
} from "./config.js";
export { arrivingCall, type CallContext, currentCall, outsideCall, remainingMs } from "./context.js";
export { FieldCipher, type Keyring, keyIdOf, keyringSetting, parseKeys } from "./crypto/field-cipher.js";
/* Persistence and the event bus: */
export { type Database, type DatabaseOptions, migrateSchema, openDatabase, runMigrations } from "./database.js";
export {
  alreadyExists,
  badRequest,
  Code,
  ConnectError,
  clipped,
  errorLimits,
  type FieldViolation,
  failedPrecondition,
  idempotencyKeyReused,
  invalidArgument,
  notFound,
  type PreconditionViolation,
  permissionDenied,
  type QuotaViolation,
  quotaExceeded,
  rateLimited,
  unauthenticated,
  undecodableRequest,
} from "./errors.js";
export { type Consumer, type ConsumerOptions, type EventHandler, startConsumer } from "./events/consumer.js";
export { InboxEntry } from "./events/inbox.js";
export { EventBusMigration } from "./events/migration.js";
export { OutboxEntry } from "./events/outbox.js";
export { type Relay, type RelayOptions, startRelay } from "./events/relay.js";
export { deadLetterStream, eventStream } from "./events/streams.js";
export { type EventToWrite, writeEvent } from "./events/write-event.js";
export { grpcDefinitionOf, grpcPathOf } from "./grpc-definition.js";
/* For other libraries (the BFF, tools): */
export { fromGrpcError, toGrpcStatus } from "./grpc-status.js";
export type { HandlerOf, ServiceHandlers } from "./handlers.js";
export { type ReadinessProbe, ServingStatus } from "./health.js";
export { inHttpServerSpan } from "./http-span.js";
export { toConnectError } from "./infrastructure-errors.js";
/* Interceptors: one vocabulary for every process that serves RPCs (services and the BFF). */
export { headersReader, metadataReader } from "./interceptors/metadata-carrier.js";
export {
  authenticating,
  authorizing,
  checkingHeaders,
  mappingErrors,
  observing,
  serverPipeline,
  tracing,
  validating,
} from "./interceptors/server-pipeline.js";
export {
  chain,
  type HeaderReader,
  type Interceptor,
  invoking,
  observeEnd,
  type ServerCall,
  type ServerNext,
} from "./interceptors/types.js";
export { createLogger, type Logger } from "./logger.js";
export {
  createSmtpSender,
  type MailAttachment,
  type OutgoingMail,
  type SmtpSender,
  type SmtpSenderOptions,
} from "./mail.js";
export { metricsRegistry, startMetricsServer } from "./metrics.js";
export { decodePageToken, encodePageToken, isIndex, isTimeAndId, pageSizeOf, type TimeAndId } from "./paging.js";
export { startPeriodic } from "./periodic.js";
export { callerIdOf, hasRole, hasSecondFactor, type Principal, type Role } from "./principal.js";
export { createReflection, type Reflection } from "./reflection.js";
export { boundViolations, defaultLimits, type RequestLimits } from "./request-bounds.js";
export { trackRedis } from "./resource-metrics.js";
export {
  checkRide,
  isLegRange,
  type LegRange,
  legCountOf,
  legsOfRide,
  MAX_LEGS,
  type RideStops,
  resolveRide,
  rideOfLegs,
} from "./rides.js";
export { type BackgroundTask, runService, type ServiceProcess, type ServiceProcessOptions } from "./run-service.js";
export { implement, type MeshServer, type ServerOptions, type ServiceImplementation, startServer } from "./server.js";
/* Declaring a service: */
export { type AssembledService, type AssemblyOptions, assembleService } from "./service/assemble.js";
export {
  type Composition,
  type DatabaseDeclaration,
  defineService,
  migrationSettingsOf,
  type ServiceConfig,
  type ServiceDeclaration,
  type ServiceManifest,
  type ServiceParts,
  type Settings,
  settingsOf,
  type Upstreams,
  upstreamVariableOf,
  usesEventBus,
} from "./service/manifest.js";
export { type AnyRpc, defineRpc, type RpcEntry, type RpcSpec } from "./service/rpc.js";
export { migrate, serve } from "./service/serve.js";
export { atShutdown, stopGracefullyOnSignals } from "./shutdown.js";
export { describeCall } from "./span-attributes.js";
export {
  Checker,
  defineValidator,
  idempotencyKeyPattern,
  isCanonicalUuid,
  type RequestValidator,
} from "./validate.js";
