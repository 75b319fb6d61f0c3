/** cluster-key-slot (ioredis's own dependency) ships no types: the CRC16 hash slot of a key, Redis Cluster's way. */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    function generateMulti(keys: (string | Buffer)[]): number;
  }
  export default calculateSlot;
}
