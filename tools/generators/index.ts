export { toCsv, formatFloat, type Cell, type CsvOptions } from './csv-writer';
export {
  dateParts,
  formatDate,
  formatDateTime,
  parseDateTime,
  epochSeconds,
  WEEKDAYS,
  type DateParts,
} from './date-parts';
export {
  generateKickstarter,
  kickstarterCsv,
  countNameWords,
  KICKSTARTER_COLUMNS,
  KICKSTARTER_FLOAT_COLUMNS,
  KICKSTARTER_LEAKAGE_COLUMNS,
  type KickstarterColumn,
  type KickstarterOptions,
  type KickstarterRow,
  type KickstarterState,
} from './kickstarter-generator';
export {
  generateMarketing,
  marketingCsv,
  MARKETING_COLUMNS,
  MARKETING_INCOME_OUTLIER,
  type MarketingColumn,
  type MarketingOptions,
  type MarketingRow,
} from './marketing-generator';
export {
  generateEngagement,
  engagementCsv,
  ENGAGEMENT_COLUMNS,
  ENGAGEMENT_FIRST_DAY,
  ENGAGEMENT_LAST_DAY,
  ENGAGEMENT_WINDOW_DAYS,
  ENGAGEMENT_SPARSE_MAX_DAYS,
  type EngagementColumn,
  type EngagementOptions,
  type EngagementRow,
} from './engagement-generator';
export { SAMPLE_FILES, SAMPLE_SEED, type SampleFile } from './sample-files';
