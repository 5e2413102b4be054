import { toDataURL } from "qrcode";
import { useEffect, useState } from "react";

/**
 * A QR code drawn in the browser, never fetched: a ticket's signed payload (the door's scanner checks
 * the signature offline) or an authenticator app's otpauth:// URI, which must not leave the page.
 */
export function QrCode({ payload, label, size = 220 }: { payload: string; label: string; size?: number }) {
  const [source, setSource] = useState<string | undefined>(undefined);
  useEffect(() => {
    let isCurrent = true;
    void toDataURL(payload, { errorCorrectionLevel: "M", margin: 2, width: size }).then((url) => {
      if (isCurrent) setSource(url);
    });
    return () => {
      isCurrent = false;
    };
  }, [payload, size]);
  return source ? (
    <img src={source} alt={label} width={size} height={size} className="rounded-box bg-white" />
  ) : (
    <div className="skeleton" style={{ width: size, height: size }} />
  );
}
