import { EventBusMigration } from "@marquee/mesh";
import { AddChallengeFirstFactor } from "./add-challenge-first-factor.js";
import { AddTwoFactor } from "./add-two-factor.js";
import { CreateIdentityTables } from "./create-identity-tables.js";
import { CreatePartnerClientTable } from "./create-partner-client-table.js";
import { CreateSocialTables } from "./create-social-tables.js";

/** Every migration of the identity service, oldest first: the event bus's outbox and inbox, then its own. */
export const migrations = [
  EventBusMigration,
  CreateIdentityTables,
  CreatePartnerClientTable,
  AddTwoFactor,
  CreateSocialTables,
  AddChallengeFirstFactor,
];
