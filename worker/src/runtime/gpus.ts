/**
 * A task's `gpus` in the Docker CLI's `--gpus` syntax (as Tork takes it): `all`, a count (`2`), or
 * comma-separated options `count=N`, `device=ID[,ID…]`, `driver=NAME`, `capabilities=CAP[,CAP…]`.
 * `device` and `capabilities` take the rest of their comma-separated values until the next `key=`.
 */
export interface DeviceRequest {
  readonly Driver: string;
  readonly Count: number;
  readonly DeviceIDs: string[];
  readonly Capabilities: string[][];
}

export function parseGpus(text: string): DeviceRequest | Error {
  const value = text.trim();
  if (value === '') return new Error('gpus: is empty');
  let driver = '';
  let count = 0;
  const devices: string[] = [];
  const capabilities: string[] = [];
  if (value === 'all') count = -1;
  else if (/^\d+$/.test(value)) count = Number(value);
  else {
    let current: string[] | undefined;
    for (const part of value.replace(/^"|"$/g, '').split(',')) {
      const [key, ...rest] = part.split('=');
      const option = rest.join('=');
      if (rest.length === 0) {
        if (current === undefined) return new Error(`gpus: "${part}" is not key=value (count, device, driver or capabilities)`);
        current.push(part.trim());
        continue;
      }
      current = undefined;
      switch (key!.trim()) {
        case 'count':
          if (option === 'all') count = -1;
          else if (/^\d+$/.test(option)) count = Number(option);
          else return new Error(`gpus: count "${option}" is not a number or all`);
          break;
        case 'device':
          devices.push(option.trim());
          current = devices;
          break;
        case 'driver':
          driver = option.trim();
          break;
        case 'capabilities':
          capabilities.push(option.trim());
          current = capabilities;
          break;
        default:
          return new Error(`gpus: unknown option "${key}" (count, device, driver or capabilities)`);
      }
    }
    if (count !== 0 && devices.length > 0) return new Error('gpus: give count or device, not both');
  }
  return { Driver: driver, Count: count, DeviceIDs: devices.filter((device) => device !== ''), Capabilities: [capabilities.length > 0 ? capabilities : ['gpu']] };
}
