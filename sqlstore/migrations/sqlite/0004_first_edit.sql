-- A case's first history entry (its creation) lives in the case's own row:
-- written with the case, it costs no page of its own, where a case_edits
-- row costs one in a random place of that table's index. Later entries
-- stay in case_edits.
ALTER TABLE cases ADD COLUMN first_edit TEXT;
UPDATE cases SET first_edit = (SELECT doc FROM case_edits WHERE case_edits.case_id = cases.case_id AND case_edits.seq = 1)
WHERE case_id IN (SELECT case_id FROM case_edits WHERE seq = 1);
DELETE FROM case_edits WHERE seq = 1;
