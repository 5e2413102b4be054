import { problemOf } from "../api/errors.js";
import { useI18n } from "../i18n/index.js";

/** A failed call told in the user's language: an alert screen readers announce at once. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  const problem = problemOf(error);
  const fields = Object.entries(problem.fields ?? {});
  return (
    <div role="alert" className="alert alert-error" data-testid="error">
      <div>
        <p>{t(problem.key, problem.params)}</p>
        {fields.length > 0 ? (
          <ul className="list-disc pl-5 text-sm">
            {fields.map(([field, description]) => (
              <li key={field}>{description}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
