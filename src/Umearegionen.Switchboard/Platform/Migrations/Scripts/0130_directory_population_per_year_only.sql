-- A municipality's population is kept per year with the source's reference date
-- (municipality_populations, 0100_directory.sql; docs/directory.md "Populations"). The single figure
-- with no year the switchboard started with was copied there as 2023's and is retired, so the cost
-- key has one source.
alter table municipalities drop column population;
