"""Measure the signal built into the generated sample data (run with /usr/bin/python3).

Usage: /usr/bin/python3 tools/generators/measure-signal.py [kickstarter.csv] [marketing.csv]
Prints class proportions and held-out ROC AUC (80/20 stratified split, seed 42) of XGBoost on the
leakage-free Kickstarter columns and of logistic regression on the marketing columns, the same
protocol as the reference figures for the real data in ../shared/data/README.md.
"""
import sys
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import xgboost as xgb

ks_path = sys.argv[1] if len(sys.argv) > 1 else 'data/kickstarter-sample.csv'
mk_path = sys.argv[2] if len(sys.argv) > 2 else 'data/marketing-sample.csv'

LEAKS = ['pledged', 'usd_pledged', 'backers_count', 'state_changed_at', 'spotlight', 'staff_pick.1',
         'show_feature_image', 'state_changed_at_weekday', 'state_changed_at_month', 'state_changed_at_day',
         'state_changed_at_yr', 'state_changed_at_hr', 'id', 'name', 'deadline', 'created_at', 'launched_at']

d = pd.read_csv(ks_path)
print('kickstarter rows', len(d), d.state.value_counts(normalize=True).round(4).to_dict())
print('staff_pick rate', round(d.staff_pick.mean(), 4), 'staff_pick != staff_pick.1',
      round((d.staff_pick != d['staff_pick.1']).mean(), 4))
b = d[d.state.isin(['successful', 'failed'])].copy()
y = (b.state == 'successful').astype(int).values
b['log_goal_usd'] = np.log10(b.goal * b.static_usd_rate)
b['duration'] = (pd.to_datetime(b.deadline) - pd.to_datetime(b.launched_at)).dt.total_seconds() / 86400
b['prep'] = (pd.to_datetime(b.launched_at) - pd.to_datetime(b.created_at)).dt.total_seconds() / 86400
X = pd.get_dummies(b.drop(columns=LEAKS + ['state']), dtype=float)
X.columns = [c.replace('[', '_').replace(']', '_').replace('<', '_') for c in X.columns]
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
m = xgb.XGBClassifier(n_estimators=400, max_depth=6, learning_rate=0.05, subsample=0.9, colsample_bytree=0.8)
m.fit(Xtr, ytr)
print('kickstarter xgboost AUC (leakage-free)', round(roc_auc_score(yte, m.predict_proba(Xte)[:, 1]), 4))
lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(Xtr, ytr)
print('kickstarter logistic AUC (leakage-free)', round(roc_auc_score(yte, lr.predict_proba(Xte)[:, 1]), 4))
Xl = pd.get_dummies(b.drop(columns=['state', 'id', 'name', 'deadline', 'created_at', 'launched_at', 'state_changed_at']), dtype=float)
Xl.columns = [c.replace('[', '_').replace(']', '_').replace('<', '_') for c in Xl.columns]
Xtr, Xte, ytr, yte = train_test_split(Xl, y, test_size=0.2, stratify=y, random_state=42)
m = xgb.XGBClassifier(n_estimators=100, max_depth=4).fit(Xtr, ytr)
print('kickstarter xgboost AUC WITH leakage', round(roc_auc_score(yte, m.predict_proba(Xte)[:, 1]), 4))

try:
    k = pd.read_csv(mk_path, sep=';', encoding='utf-8-sig')
except FileNotFoundError:
    sys.exit(0)
print('marketing rows', len(k), 'response rate', round(k.Response.mean(), 4), 'missing income', int(k.Income.isna().sum()))
k = k.copy()
k['Income'] = k.Income.fillna(k.Income.median())
k['days'] = (pd.to_datetime('2014-12-31') - pd.to_datetime(k.Dt_Customer)).dt.days
y = k.Response.values
X = pd.get_dummies(k.drop(columns=['ID', 'Response', 'Dt_Customer', 'Z_CostContact', 'Z_Revenue']), dtype=float)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(Xtr, ytr)
print('marketing logistic AUC', round(roc_auc_score(yte, lr.predict_proba(Xte)[:, 1]), 4))
m = xgb.XGBClassifier(n_estimators=200, max_depth=3, learning_rate=0.05).fit(Xtr, ytr)
print('marketing xgboost AUC', round(roc_auc_score(yte, m.predict_proba(Xte)[:, 1]), 4))
