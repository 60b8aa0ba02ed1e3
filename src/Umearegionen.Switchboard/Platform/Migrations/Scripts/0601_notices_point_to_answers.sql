-- A crisis notice can point to answers ("Vattenläcka i Vännäs: kokningsrekommendation"): the
-- operator's view of a matching call lists them first while the notice is in force (docs/answers.md).
-- Checked when the notice is published (the notice's municipality's answers or shared ones); an
-- answer removed later is simply no longer listed.
alter table notices add column answer_ids uuid[] not null default '{}';
