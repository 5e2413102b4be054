import { applySettings, type FaultSettings, settingsBody } from "../settings.js";
import type { Route } from "./route.js";

/** `/v1/_simulator/settings`: test-only, so fault tests can flip latency, error rate and webhook endpoints. */
export function simulatorRoutes(settings: FaultSettings): Route[] {
  return [
    {
      method: "GET",
      path: "/v1/_simulator/settings",
      access: "admin",
      handle: () => ({ status: 200, body: settingsBody(settings) }),
    },
    {
      method: "POST",
      path: "/v1/_simulator/settings",
      access: "admin",
      handle: ({ body }) => {
        applySettings(settings, body);
        return { status: 200, body: settingsBody(settings) };
      },
    },
  ];
}
