import { type InputHTMLAttributes, useId } from "react";
import { type MessageKey, useI18n } from "../i18n/index.js";

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange"> {
  /** The label's message: a `<label for>` the input, so a click on it focuses the input. */
  readonly label: MessageKey;
  readonly value: string | number;
  readonly onChange: (value: string) => void;
}

/** A labelled input as every form of the app draws it; `className` sizes the input (full width by default). */
export function TextField({ label, value, onChange, className = "w-full", ...input }: TextFieldProps) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="form-control">
      <label htmlFor={id} className="label-text">
        {t(label)}
      </label>
      <input
        id={id}
        className={`input input-bordered ${className}`}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        {...input}
      />
    </div>
  );
}

export interface SelectFieldProps {
  readonly label: MessageKey;
  readonly value: string | number;
  readonly onChange: (value: string) => void;
  /** Each choice as [value, the text shown]. */
  readonly options: ReadonlyArray<readonly [string | number, string]>;
  readonly className?: string;
  readonly disabled?: boolean;
}

/** A labelled select as every form of the app draws it. */
export function SelectField({ label, value, onChange, options, className = "w-full", disabled }: SelectFieldProps) {
  const { t } = useI18n();
  const id = useId();
  // A label beside the select, not around it: around it, the options' texts would join its name.
  return (
    <div className="form-control">
      <label htmlFor={id} className="label-text">
        {t(label)}
      </label>
      <select
        id={id}
        className={`select select-bordered ${className}`}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      >
        {options.map(([choice, text]) => (
          <option key={choice} value={choice}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
