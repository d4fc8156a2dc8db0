export { limeExplain, type LimeOptions, type LimeExplanation, type LimeFeature } from './lime/lime-explain';
