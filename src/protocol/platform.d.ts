// The few globals protocol code uses; every runtime edgelog runs on (browsers,
// workerd, Node >= 22) has them, so protocol/ needs no DOM or Node types.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare function atob(data: string): string;
declare function btoa(data: string): string;
