import jsQR from 'jsqr';
import { useId, useState } from 'react';
import { Alert } from '../ui.tsx';

/** Largest side the photo is scaled to before decoding: phone photos are huge and QR codes are not. */
const MAX_SIDE = 1200;

async function decodePhoto(file: File): Promise<string | null> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
    const w = Math.max(1, Math.round(img.naturalWidth * scale));
    const h = Math.max(1, Math.round(img.naturalHeight * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.drawImage(img, 0, 0, w, h);
    const code = jsQR(ctx.getImageData(0, 0, w, h).data, w, h);
    return code?.data ?? null;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Photo of the citizen's VNeID / CCCD QR code, decoded in the browser (the image never leaves it). */
export function QrPhotoInput({ onDecoded }: { onDecoded: (payload: string) => void }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="field">
      <label htmlFor={id}>Hoặc chụp / tải ảnh mã QR</label>
      <input
        id={id}
        type="file"
        accept="image/*"
        capture="environment"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          setError(null);
          const payload = await decodePhoto(file).catch(() => null);
          if (payload) onDecoded(payload);
          else setError('Không đọc được mã QR trong ảnh. Hãy chụp lại rõ hơn hoặc nhập số CCCD.');
        }}
      />
      <Alert>{error}</Alert>
    </div>
  );
}
