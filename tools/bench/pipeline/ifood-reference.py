"""The Python stack on iFood `Response`: scikit-learn LR, XGBoost, RF, MLP and a Caruana ensemble of
them (weights chosen on out-of-fold predictions of the training part), on the pipeline's own seeded
split and on scikit-learn's splits, to tell split luck from model quality.

  npx tsx tools/bench/pipeline/dump-split.ts ../shared/data/marketing/marketing_campaign.csv Response /tmp/split.json
  /usr/bin/python3 tools/bench/pipeline/ifood-reference.py /tmp/split.json [n_sklearn_seeds]

Needs scikit-learn 1.2, XGBoost 1.7 and pandas (Debian's python3-sklearn python3-xgboost python3-pandas).
"""
import json, sys, warnings
import numpy as np, pandas as pd
from scipy.stats import skew
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
import xgboost as xgb

warnings.filterwarnings('ignore')
df = pd.read_csv('../shared/data/marketing/marketing_campaign.csv', sep=';', encoding='utf-8-sig')
y = df.Response.values
X = df.drop(columns=['ID', 'Response', 'Z_CostContact', 'Z_Revenue']).copy()
X['Dt_Customer'] = (pd.to_datetime(X.Dt_Customer) - pd.Timestamp('1970-01-01')).dt.days
cat = ['Education', 'Marital_Status']
numc = [c for c in X if c not in cat]
Xn = X.copy()
for c in cat:
    Xn[c] = Xn[c].astype('category').cat.codes
ours = json.load(open(sys.argv[1]))
n_seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
splits = [('pipeline seed 42', ours['train'], ours['test'])] + [
    (f'sklearn seed {s}',) + tuple(train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=s)) for s in range(n_seeds)
]


def caruana(P, yv, rounds=25):
    """Caruana et al.'s selection as AutoGluon runs it: every round draws the best addition, then the
    shortest prefix reaching the best score of the trajectory is kept (as the pipeline does)."""
    names = list(P); S = np.zeros(len(yv)); picks = []; traj = []
    for step in range(rounds):
        sc = {k: roc_auc_score(yv, (S + P[k]) / (step + 1)) for k in names}
        k = max(names, key=lambda k: sc[k])
        S += P[k]; picks.append(k); traj.append(sc[k])
    n = int(np.argmax(traj)) + 1
    return {k: picks[:n].count(k) / n for k in names}


out = {}
for name, tr, te in splits:
    sk = X.iloc[tr][numc].apply(lambda c: skew(c.dropna()))
    skewed = [c for c in numc if abs(sk[c]) > 1 and X[c].nunique() > 2]
    rest = [c for c in numc if c not in skewed]
    lin = ColumnTransformer([
        ('c', OneHotEncoder(handle_unknown='ignore'), cat),
        ('q', make_pipeline(SimpleImputer(strategy='median'), FunctionTransformer(np.log1p), StandardScaler()), skewed),
        ('n', make_pipeline(SimpleImputer(strategy='median'), StandardScaler()), rest),
    ])
    models = {
        'lr': (make_pipeline(lin, LogisticRegression(C=1, max_iter=5000)), X),
        'xgb': (xgb.XGBClassifier(n_estimators=250, max_depth=3, learning_rate=0.04, subsample=0.9, colsample_bytree=0.8, n_jobs=2), Xn),
        'rf': (RandomForestClassifier(n_estimators=200, max_features=0.2, min_samples_leaf=8, n_jobs=2, random_state=0), Xn.fillna(-1)),
        'mlp': (make_pipeline(lin, MLPClassifier((64,), alpha=1e-4, learning_rate_init=0.0036, early_stopping=True, random_state=0, max_iter=500)), X),
    }
    cv = StratifiedKFold(5, shuffle=True, random_state=42)
    oof, test = {}, {}
    for k, (m, D) in models.items():
        oof[k] = cross_val_predict(m, D.iloc[tr], y[tr], cv=cv, method='predict_proba')[:, 1]
        test[k] = m.fit(D.iloc[tr], y[tr]).predict_proba(D.iloc[te])[:, 1]
    r = {k: roc_auc_score(y[te], v) for k, v in test.items()}
    w = caruana(oof, y[tr])
    r['ensemble'] = roc_auc_score(y[te], sum(w[k] * test[k] for k in test))
    for k, v in r.items():
        out.setdefault(k, []).append(v)
    print(name, {k: round(v, 4) for k, v in r.items()}, flush=True)
print()
for k, v in out.items():
    print(f'{k:10s} pipeline split {v[0]:.4f}   mean of {n_seeds} sklearn splits {np.mean(v[1:]):.4f}')
