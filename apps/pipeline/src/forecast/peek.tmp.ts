import { readTableWithInfo } from '@campaign-ml/ingest';
(async () => {
  const r = await readTableWithInfo('/work/main/data/engagement-sample.csv');
  const t = r.table;
  console.log(t.numRows(), t.columnNames(), t.get('date', 0), typeof t.get('date',0), t.get('followers',0), typeof t.get('profile_id',0));
})();
