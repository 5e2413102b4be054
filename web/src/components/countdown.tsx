import { useEffect, useRef, useState } from "react";
import { useI18n } from "../i18n/index.js";

/**
 * The time a hold has left, from the server's expiry: `deadline` is that expiry on this browser's clock
 * (`toLocalTime` of the hold's expire time), so a computer whose clock is minutes off still counts down the right time.
 * Calls `onExpire` once when it reaches zero. A screen reader hears it at the last minute, not each second.
 */
export function Countdown({ deadline, onExpire }: { deadline: number; onExpire?: () => void }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  const hasExpired = useRef(false);
  const left = Math.max(0, deadline - now);
  // A quarter-second tick keeps the shown second within 250 ms of the truth without a timer per second
  // to reschedule, and a tab put in the background catches up on its first tick back.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (left > 0 || hasExpired.current) return;
    hasExpired.current = true;
    onExpire?.();
  }, [left, onExpire]);
  const seconds = Math.ceil(left / 1000);
  const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  const isUrgent = seconds <= 60;
  return (
    <span className={`font-mono tabular-nums ${isUrgent ? "text-error font-bold" : ""}`}>
      <span role="timer" aria-label={t("hold.timeLeft", { time: text })} data-testid="countdown">
        {text}
      </span>
      <span className="sr-only" aria-live="polite">
        {isUrgent && left > 0 ? t("hold.lastMinute") : ""}
      </span>
    </span>
  );
}
