// The offer signal: a short two-tone chime made with a WebAudio oscillator (no audio files).
let context = null;

export function unlock() {
  context ??= new AudioContext();
  if (context.state === 'suspended') context.resume();
}

export function chime() {
  try {
    unlock();
    const start = context.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.18, 660], [0.36, 880]]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.17);
    }
  } catch {
    // No audio device: the banner still shows the offer.
  }
}
