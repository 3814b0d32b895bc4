// Lets the end-to-end tests set attributes from the query string (?poll-interval=300).
const el = document.getElementById("verify");
for (const [name, value] of new URLSearchParams(location.search)) el.setAttribute(name, value);
