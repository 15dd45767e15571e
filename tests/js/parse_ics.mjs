// Reads an .ics file with Mozilla's ical.js (the parser in Thunderbird) and prints what it
// understood as JSON, for tests/events/test_ical_interop.py. Exit status 1 on a parse error.
// Usage: node tests/js/parse_ics.mjs <file.ics>
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));

// Times are converted with the VTIMEZONE blocks of the file itself, not a built-in database.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function time(value) {
  if (!value) return null;
  return {
    local: value.toString(),
    isDate: value.isDate,
    tzid: value.zone ? value.zone.tzid : null,
    utc: value.isDate ? null : new Date(value.toUnixTime() * 1000).toISOString(),
  };
}

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const startProperty = vevent.getFirstProperty("dtstart");
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    url: vevent.getFirstPropertyValue("url"),
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    dtstamp: vevent.getFirstPropertyValue("dtstamp").toString(),
    lastModified: vevent.getFirstPropertyValue("last-modified").toString(),
    dtstartTzid: startProperty.getParameter("tzid") || null,
    start: time(event.startDate),
    end: time(event.endDate),
    organizer: vevent.getFirstPropertyValue("organizer"),
    attendees: vevent.getAllProperties("attendee").length,
  };
});

const names = ["version", "prodid", "calscale", "method", "name", "x-wr-calname",
  "x-wr-timezone", "x-published-ttl"];
const properties = Object.fromEntries(
  names.map((name) => [name, calendar.getFirstPropertyValue(name)?.toString() ?? null]),
);
const refresh = calendar.getFirstProperty("refresh-interval");
properties["refresh-interval"] = refresh ? refresh.getFirstValue().toString() : null;
properties.timezones = calendar.getAllSubcomponents("vtimezone").map((tz) => ({
  tzid: tz.getFirstPropertyValue("tzid"),
  parts: tz.getAllSubcomponents().map((part) => part.name),
}));

process.stdout.write(JSON.stringify({ properties, events }));
