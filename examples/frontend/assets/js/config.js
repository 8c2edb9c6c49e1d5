// Where the Byline API answers: "" for the origin that serves these pages, or a full origin such as
// "https://api.news.example" for a site hosted elsewhere (anonymous reads and the comment form work
// from any origin).
export const API_BASE = "";
// Shown in the masthead and document titles.
export const SITE_NAME = "Byline";
