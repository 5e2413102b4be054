import { LinkTokenEntity } from "./link-token.js";
import { RefreshTokenEntity } from "./refresh-token.js";
import { SessionEntity } from "./session.js";
import { SigningKeyEntity } from "./signing-key.js";
import { ThrottleEventEntity } from "./throttle-event.js";
import { UserEntity } from "./user.js";

export { LinkTokenEntity, RefreshTokenEntity, SessionEntity, SigningKeyEntity, ThrottleEventEntity, UserEntity };

/** Every entity of the identity service, for `openDatabase`. */
export const entities = [
  UserEntity,
  SessionEntity,
  RefreshTokenEntity,
  LinkTokenEntity,
  SigningKeyEntity,
  ThrottleEventEntity,
];
