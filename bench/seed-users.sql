-- 100,000 users for the users-list benches (bench/users.sh, bench/loadkit.sh): 20 first names,
-- 100 surnames, every tenth inactive, every third verified, every hundredth staff, one a minute
-- back in time. Unusable password hashes: the benches sign in as the admin only.
INSERT INTO users (email, username, password_hash, first_name, last_name, is_active, is_verified, is_staff, created_at)
SELECT 'user' || i || '@bench.test', 'user' || i, '!unusable',
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','John','Margaret','Tim',
              'Ken','Dennis','Bjarne','Guido','James','Linus','Radia','Shafi','Leslie','Niklaus'])[1 + i % 20],
       -- 100 surnames (10 stems x 10 endings): one full surname matches 1,000 users
       (ARRAY['Okafor','Smith','Garcia','Muller','Rossi','Kowalski','Nakamura','Silva','Dubois','Jensen'])[1 + (i / 7) % 10]
         || (ARRAY['','son','berg','ski','ez','ini','ova','ton','ley','ard'])[1 + (i / 70) % 10],
       i % 10 <> 0, i % 3 = 0, i % 100 = 0, now() - (i || ' minutes')::interval
  FROM generate_series(1, 100000) i;
INSERT INTO user_profiles (user_id) SELECT id FROM users ON CONFLICT DO NOTHING;
