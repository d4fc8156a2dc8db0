export {
  VotingClassifier,
  VotingRegressor,
  FittedVotingClassifier,
  FittedVotingRegressor,
  type VotingMember,
  type FittedVotingMember,
  type VotingParams,
} from './voting';
export {
  ensembleSelection,
  crossValidateEnsembleSelection,
  type EnsembleSelection,
  type EnsembleSelectionOptions,
} from './ensemble-selection';
