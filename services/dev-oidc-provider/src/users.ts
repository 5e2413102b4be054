/**
 * The people who can sign in at the development provider: no passwords, the login page lists them and a
 * developer picks one. Their claims are what a real provider's ID token says about a user.
 */
export interface DevUser {
  /** The stable account id: the `sub` claim. */
  readonly sub: string;
  readonly email: string;
  /** The `email_verified` claim: whether the provider vouches that the user controls the address. */
  readonly emailVerified: boolean;
  /** The `name` claim. */
  readonly name: string;
}

/**
 * The fixed users `npm start` offers. The first has the address of the launcher's demo customer, a
 * verified Marquee account, so signing in as them links the provider account to it; the next two are new
 * to Marquee and get accounts made for them; the last one's address is not verified, which Marquee
 * refuses to link or to create an account for.
 */
export const devUsers: readonly DevUser[] = [
  { sub: "dev-demo-customer", email: "customer@marquee.localhost", emailVerified: true, name: "Demo Customer" },
  { sub: "dev-ana", email: "ana.rahman@social.localhost", emailVerified: true, name: "Ana Rahman" },
  { sub: "dev-kofi", email: "kofi.mensah@social.localhost", emailVerified: true, name: "Kofi Mensah" },
  { sub: "dev-uma", email: "uma.unverified@social.localhost", emailVerified: false, name: "Uma Unverified" },
];
