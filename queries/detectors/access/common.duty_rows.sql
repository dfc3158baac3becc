    SELECT officer_id, start, duty_type, kind,
           -- a duty's hours run to its end, or further when more hours are claimed for it (a recorded extension)
           CASE WHEN kind = 'duty' AND hours_claimed > 0
                THEN greatest("end", start + to_microseconds(CAST(hours_claimed * 3600000000 AS BIGINT)))
                ELSE "end" END AS "end"
    FROM (SELECT *, CASE WHEN pay_code = 'on_call' THEN 'on_call'
                         WHEN duty_type IN ('annual_leave', 'sick') THEN 'leave'
                         WHEN duty_type = 'rest_day' THEN 'rest'
                         ELSE 'duty' END AS kind
          FROM shifts WHERE status <> 'cancelled')
