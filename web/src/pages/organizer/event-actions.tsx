import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@marquee/proto/google/rpc/error_details_pb.js";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { type Event, EventState } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { clientOf } from "../../api/transport.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { type MessageKey, useI18n } from "../../i18n/index.js";

const catalog = clientOf(CatalogService);

const stateKeys: Record<EventState, MessageKey> = {
  [EventState.UNSPECIFIED]: "organizer.state.unknown",
  [EventState.DRAFT]: "organizer.state.draft",
  [EventState.PUBLISHED]: "organizer.state.published",
  [EventState.CANCELLED]: "organizer.state.cancelled",
};
const stateBadges: Record<EventState, string> = {
  [EventState.UNSPECIFIED]: "badge-ghost",
  [EventState.DRAFT]: "badge-warning",
  [EventState.PUBLISHED]: "badge-success",
  [EventState.CANCELLED]: "badge-error",
};

/** Draft, on sale or cancelled, as a badge whose word says it (not its colour alone). */
export function StateBadge({ state }: { state: EventState }) {
  const { t } = useI18n();
  return (
    <span className={`badge ${stateBadges[state]}`} data-testid="event-state">
      {t(stateKeys[state])}
    </span>
  );
}

/**
 * What PublishEvent says is missing (a section without a price, a leg without a fare…): the
 * PreconditionFailure lists each gap, and the organizer needs every one, not "this cannot be done".
 */
function gapsOf(error: unknown): string[] {
  const connectError = ConnectError.from(error);
  if (connectError.code !== Code.FailedPrecondition) return [];
  return connectError
    .findDetails(PreconditionFailureSchema)
    .flatMap((detail) => detail.violations.map((violation) => violation.description || violation.subject));
}

/** Publishing a draft, and calling off a published event with the reason its buyers are told. */
export function EventActions({ event }: { event: Event }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(undefined);
  const [isBusy, setBusy] = useState(false);
  const [reason, setReason] = useState("");
  const [isCancelling, setCancelling] = useState(false);
  const gaps = error ? gapsOf(error) : [];

  const run = async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await call();
      await queryClient.invalidateQueries();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const cancel = (submitted: FormEvent) => {
    submitted.preventDefault();
    void run(() => catalog.cancelEvent({ eventId: event.id, reason: reason.trim() }));
  };

  return (
    <section className="flex flex-col gap-2" aria-label={t("organizer.event.lifecycle")}>
      {gaps.length > 0 ? (
        <div role="alert" className="alert alert-warning" data-testid="publish-gaps">
          <div>
            <p>{t("organizer.event.publishGaps")}</p>
            <ul className="list-disc pl-5 text-sm">
              {gaps.map((gap) => (
                <li key={gap}>{gap}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : error ? (
        <ErrorAlert error={error} />
      ) : null}
      {event.state === EventState.CANCELLED ? (
        <p className="alert">{t("organizer.event.cancelledBecause", { reason: event.cancelReason })}</p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {event.state === EventState.DRAFT ? (
          <button
            type="button"
            className="btn btn-success"
            disabled={isBusy}
            onClick={() => void run(() => catalog.publishEvent({ eventId: event.id }))}
          >
            {t("organizer.event.publish")}
          </button>
        ) : null}
        {event.state === EventState.PUBLISHED && !isCancelling ? (
          <button type="button" className="btn btn-outline btn-error" onClick={() => setCancelling(true)}>
            {t("organizer.event.cancel")}
          </button>
        ) : null}
      </div>
      {event.state === EventState.PUBLISHED && isCancelling ? (
        <form className="card bg-base-100 shadow-sm" onSubmit={cancel} aria-label={t("organizer.event.cancel")}>
          <div className="card-body gap-2">
            <p>{t("organizer.event.cancelWarning")}</p>
            <label className="form-control">
              <span className="label-text">{t("organizer.event.cancelReason")}</span>
              <textarea
                className="textarea textarea-bordered w-full"
                required
                maxLength={500}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </label>
            <div className="flex gap-2">
              <button type="submit" className="btn btn-error" disabled={isBusy || reason.trim() === ""}>
                {t("organizer.event.confirmCancel")}
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => setCancelling(false)}>
                {t("organizer.event.keepOnSale")}
              </button>
            </div>
          </div>
        </form>
      ) : null}
    </section>
  );
}
