-- Populations per municipality and year, with the source's reference date, for the cost key's
-- per-inhabitant part (issue 26). SCB publishes each municipality's population yearly: as of
-- 31 December (Folkmängd) and as of 1 November (the figure the municipal equalisation system uses);
-- reference_date says which, and must lie in the year. Administrators keep them through
-- PUT /api/directory/populations/{year}; the cost split uses, per municipality, the latest year
-- whose reference date is on or before the period's end (else the earliest year it has).
create table municipality_populations (
    municipality_code text not null references municipalities (code),
    year              integer not null check (year between 1900 and 2100),
    population        integer not null check (population between 0 and 10000000),
    reference_date    date not null check (extract(year from reference_date)::int = year),
    source            text not null,
    seed              boolean not null default false,
    updated_at        timestamptz not null default now(),
    primary key (municipality_code, year)
);

-- The figures the switchboard started with (municipalities.population, rounded to hundreds, close to
-- SCB's 31 December 2023 figures) become 2023's, marked as the seed's so that no one takes them for SCB's.
insert into municipality_populations (municipality_code, year, population, reference_date, source, seed)
select code, 2023, population, date '2023-12-31', 'Seed: the switchboard''s starting figures, rounded to hundreds (not SCB''s exact figures)', true
from municipalities;
