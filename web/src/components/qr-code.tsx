import { toDataURL } from "qrcode";
import { useEffect, useState } from "react";

/**
 * A ticket's QR code, drawn in the browser from the signed payload the order carries: the door's scanner
 * checks the signature offline, so the image holds nothing a server must look up.
 */
export function TicketQr({ payload, label }: { payload: string; label: string }) {
  const [source, setSource] = useState<string | undefined>(undefined);
  useEffect(() => {
    let isCurrent = true;
    void toDataURL(payload, { errorCorrectionLevel: "M", margin: 2, width: 220 }).then((url) => {
      if (isCurrent) setSource(url);
    });
    return () => {
      isCurrent = false;
    };
  }, [payload]);
  return source ? (
    <img src={source} alt={label} width={220} height={220} className="rounded-box bg-white" />
  ) : (
    <div className="skeleton size-[220px]" />
  );
}
