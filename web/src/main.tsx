import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { transport } from "./api/transport.js";
import { App } from "./app.js";
import { useI18n } from "./i18n/index.js";
import "./styles.css";

/**
 * Queries are read again when the tab regains focus, and a failed one is retried once: a booking page
 * left open shows today's prices, and a restarting service does not leave a blank page.
 */
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 10_000 } } });

function Root() {
  const { lang } = useI18n();
  document.documentElement.lang = lang;
  return <App />;
}

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <TransportProvider transport={transport}>
      <QueryClientProvider client={queryClient}>
        <Root />
      </QueryClientProvider>
    </TransportProvider>
  </StrictMode>,
);
