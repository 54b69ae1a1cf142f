// A ticket's QR code, fetched again at every 15-second step: the code in it rotates, so a
// screenshot stops working within seconds. Shown as an image (with a text alternative).
import { useEffect, useState } from 'preact/hooks';
import { ticketQrSvg } from '../../../sdk/box-office.ts';
import { errorMessage, http } from '../../lib/api.ts';
import { STEP_MS, untilNextStep } from './qr-step.ts';

export function TicketQr({ ticketId, label }: { ticketId: string; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState(0);

  useEffect(() => {
    let live = true;
    let url: string | null = null;
    ticketQrSvg(http(), ticketId).then(
      (svg) => {
        if (!live) return;
        url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
        setSrc(url);
        setError(null);
      },
      (e) => live && setError(errorMessage(e)),
    );
    const timer = setTimeout(() => setStep((s) => s + 1), untilNextStep());
    return () => {
      live = false;
      clearTimeout(timer);
      // The image keeps showing until the next one replaces it; then the old URL goes.
      if (url) setTimeout(() => URL.revokeObjectURL(url!), STEP_MS);
    };
  }, [ticketId, step]);

  if (error) return <p class="error">The QR code could not be loaded: {error}</p>;
  if (!src) return <div class="qr placeholder" aria-busy="true" />;
  return (
    <img
      class="qr"
      src={src}
      width={220}
      height={220}
      alt={`QR code for ${label}, changes every 15 seconds`}
      data-step={step}
    />
  );
}
