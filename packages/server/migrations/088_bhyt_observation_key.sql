-- Issue 21 (Citus): a card observation's once-key names the card's social-insurance number too.
-- On a cluster bhyt_card_observation is distributed by bhxh and its unique keys lead with it
-- (citus/090), so the writer's ON CONFLICT must name bhxh to find its key there. bhxh is part of
-- card_no (the card's last ten digits), so the key is exactly as unique as before, on one node too.
create unique index bhyt_card_observation_once_by_bhxh on bhyt_card_observation(bhxh, source, source_ref, card_no, observed_on);
drop index bhyt_card_observation_once;
alter index bhyt_card_observation_once_by_bhxh rename to bhyt_card_observation_once;
