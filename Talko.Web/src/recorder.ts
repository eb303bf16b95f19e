// Voice clips from the microphone with MediaRecorder, in a container the server accepts: MP4 (AAC or Opus) where the
// browser can write it (Chromium, Safari), else Ogg/Opus (Firefox).

const containers = ['audio/mp4', 'audio/ogg;codecs=opus'];

export function recordingSupported(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices && containers.some(t => MediaRecorder.isTypeSupported(t));
}

export interface Recording { stop(): Promise<Blob>; }

export async function startRecording(): Promise<Recording> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mimeType = containers.find(t => MediaRecorder.isTypeSupported(t))!;
  const recorder = new MediaRecorder(stream, { mimeType });
  const chunks: Blob[] = [];
  recorder.ondataavailable = e => { if (e.data.size) chunks.push(e.data); };
  recorder.start();
  return {
    stop: () => new Promise<Blob>(resolve => {
      recorder.onstop = () => {
        stream.getTracks().forEach(t => t.stop());
        resolve(new Blob(chunks, { type: mimeType }));
      };
      recorder.stop();
    }),
  };
}
