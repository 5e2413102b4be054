import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * A user's account at an OpenID Connect provider (`SocialLink` in the proto): the provider's `sub` signs
 * the user in. One Marquee user per provider account (`social_link_provider_subject_key`) and at most one
 * account per provider per user (`social_link_user_provider_key`).
 */
export const SocialLinkEntity = defineEntity({
  name: "SocialLink",
  tableName: "social_link",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    /** A ProviderName: "google", "apple", "microsoft". */
    provider: p.text(),
    /** The provider's `sub` claim. */
    subject: p.text(),
    /** The `email` claim when the link was made; empty if there was none. Informational. */
    email: p.text(),
    linkTime: p.datetime(),
  },
});

/** A row of the social_link table. */
export type SocialLinkEntity = InferEntity<typeof SocialLinkEntity>;
