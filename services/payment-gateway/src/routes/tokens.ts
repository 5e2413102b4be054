import { validateCard } from "../domain/card.js";
import type { Ledger } from "../ledger.js";
import { allowOnly } from "../params.js";
import type { Route } from "./route.js";

/** `POST /v1/tokens`: the one endpoint a browser calls, so card numbers never reach Marquee. */
export function tokenRoutes(ledger: Ledger): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/tokens",
      access: "browser",
      handle: ({ body }) => {
        allowOnly(body, ["card"]);
        return { status: 200, body: ledger.createToken(validateCard(body.card, new Date())) };
      },
    },
  ];
}
