import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAMPLE_FILES } from './sample-files';

const root = path.resolve(__dirname, '..', '..');

describe('committed sample files under data/', () => {
  it.each(SAMPLE_FILES.map((f) => [f.path, f] as const))(
    '%s equals a fresh generation and stays under 2 MB',
    (_p, file) => {
      const committed = fs.readFileSync(path.join(root, file.path), 'utf8');
      const fresh = file.render();
      // A mismatch means the generator changed: run `npm run generate:data` and commit data/.
      expect(committed === fresh).toBe(true);
      expect(Buffer.byteLength(committed)).toBeLessThan(2 * 1024 * 1024);
    },
  );
});
