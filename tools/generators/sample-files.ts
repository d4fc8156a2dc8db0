/**
 * The embedded sample files under data/: where each goes and how it is produced. generate-all
 * writes them; a test checks that the committed files equal a fresh generation.
 */
import { engagementCsv, generateEngagement } from './engagement-generator';
import { generateKickstarter, kickstarterCsv } from './kickstarter-generator';
import { generateMarketing, marketingCsv } from './marketing-generator';

/** The seed of every committed sample file. */
export const SAMPLE_SEED = 42;

export interface SampleFile {
  /** Path from the repository root. */
  readonly path: string;
  /** The file's full text. */
  render(): string;
}

export const SAMPLE_FILES: readonly SampleFile[] = [
  {
    path: 'data/kickstarter-sample.csv',
    render: () => kickstarterCsv(generateKickstarter({ rows: 4000, seed: SAMPLE_SEED })),
  },
  {
    path: 'data/marketing-sample.csv',
    render: () => marketingCsv(generateMarketing({ rows: 2240, seed: SAMPLE_SEED })),
  },
  {
    path: 'data/engagement-sample.csv',
    render: () => engagementCsv(generateEngagement({ profiles: 150, denseProfiles: 6, seed: SAMPLE_SEED })),
  },
];
