import { useI18n } from "../i18n/index.js";

/** The dots a page shows while its data comes, said as "Loading…" to screen readers. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="flex items-center gap-2">
      <span className="loading loading-dots" aria-hidden="true" />
      <span className="sr-only">{t("common.loading")}</span>
    </p>
  );
}
