// Threaded comments and the "Leave a Reply" form, which reports the API's problems field by field.
import { getJson, getPage, postJson, Problem } from "./api.js";
import { apiHtml, h, image, safeUrl, time } from "./dom.js";

const TOKENS_KEY = "byline.commenter_tokens";

// A receipt's token, sent again with the same address, publishes a commenter at once once a moderator
// approved one of their comments. Kept per address: people sharing a browser each keep their own.
function storedTokens() {
  try {
    return JSON.parse(localStorage.getItem(TOKENS_KEY)) ?? {};
  } catch {
    return {};
  }
}

function rememberedToken(email) {
  return storedTokens()[email.toLowerCase()];
}

function rememberToken(email, token) {
  try {
    localStorage.setItem(TOKENS_KEY, JSON.stringify({ ...storedTokens(), [email.toLowerCase()]: token }));
  } catch {
    // Storage refused (private mode): comments still work, they just wait for a moderator each time.
  }
}

function commentItem(comment, replyTo) {
  const id = `comment-${comment.id}`;
  const website = safeUrl(comment.author_url);
  const name = website ? h("a", { href: website, rel: "external nofollow ugc" }, comment.author_name) : comment.author_name;
  return h(
    "li",
    { class: "comment-item" },
    h(
      "article",
      { class: "comment", id, "aria-labelledby": `${id}-author` },
      h(
        "header",
        { class: "comment-meta" },
        image({ url: comment.avatar_url, width: 48, height: 48 }, { className: "avatar" }),
        h("span", { class: "comment-author", id: `${id}-author` }, name),
        h("a", { class: "comment-date", href: `#${id}` }, time(comment.created_at, { withTime: true })),
      ),
      apiHtml(h("div", { class: "comment-content" }), comment.content_html),
      h(
        "p",
        { class: "reply" },
        h(
          "a",
          {
            class: "reply-link",
            href: "#respond",
            "aria-label": `Reply to ${comment.author_name}`,
            onclick: (event) => {
              event.preventDefault();
              replyTo(comment);
            },
          },
          "Reply",
        ),
      ),
    ),
    comment.replies?.length ? h("ol", { class: "children" }, comment.replies.map((reply) => commentItem(reply, replyTo))) : null,
  );
}

function waitText(seconds) {
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

function field({ name, label, type = "text", required = false, autocomplete, multiline = false }) {
  const id = `reply-${name}`;
  const control = multiline
    ? h("textarea", { id, name, rows: 6, required, "aria-required": required ? "true" : null })
    : h("input", { id, name, type, autocomplete, required, "aria-required": required ? "true" : null });
  const error = h("span", { class: "field-error", id: `${id}-error`, hidden: true });
  return h(
    "p",
    { class: `field field-${name}` },
    h("label", { for: id }, label, required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null),
    control,
    error,
  );
}

function replyForm(article, onPublished) {
  const title = h("h3", { id: "reply-title" }, "Leave a Reply");
  const replying = h("p", { class: "replying", hidden: true });
  const problem = h("div", { class: "form-problem", role: "alert" });
  const status = h("div", { class: "form-status", role: "status" });
  const submit = h("button", { type: "submit" }, "Post Comment");
  let parent = null;

  const form = h(
    "form",
    { class: "reply-form", novalidate: true, "aria-labelledby": "reply-title", "aria-describedby": "comment-notes" },
    h("p", { class: "comment-notes", id: "comment-notes" }, "Your email address will not be published. Required fields are marked ", h("span", { class: "required" }, "*")),
    replying,
    problem,
    field({ name: "content", label: "Comment", required: true, multiline: true }),
    field({ name: "author_name", label: "Name", required: true, autocomplete: "name" }),
    field({ name: "author_email", label: "Email", type: "email", required: true, autocomplete: "email" }),
    field({ name: "author_url", label: "Website", type: "url", autocomplete: "url" }),
    // For bots only: people never see it, and comments that fill it are filed as spam.
    h(
      "p",
      { class: "honeypot", "aria-hidden": "true" },
      h("label", { for: "reply-homepage" }, "Leave this empty"),
      h("input", { id: "reply-homepage", name: "homepage", type: "text", tabindex: "-1", autocomplete: "off" }),
    ),
    h(
      "p",
      { class: "field field-notify" },
      h("input", { id: "reply-notify", name: "notify_replies", type: "checkbox" }),
      h("label", { for: "reply-notify" }, "Email me when someone replies"),
    ),
    h("p", { class: "form-submit" }, submit),
    status,
  );
  const respond = h("div", { class: "respond", id: "respond" }, title, form);

  // Asked for when a reader starts on the form, not for every reader of the article; the API holds
  // comments sent faster than a person could write them.
  let formToken = null;
  const requestFormToken = () => {
    formToken ??= getJson(`/articles/${encodeURIComponent(article.slug)}/comments/form-token`).catch(() => null);
    return formToken;
  };
  form.addEventListener("focusin", requestFormToken);

  function cancelReply() {
    parent = null;
    title.textContent = "Leave a Reply";
    replying.hidden = true;
    replying.replaceChildren();
  }

  function replyTo(comment) {
    parent = comment;
    title.textContent = `Leave a Reply to ${comment.author_name}`;
    replying.replaceChildren(
      "Replying to ",
      h("a", { href: `#comment-${comment.id}` }, comment.author_name),
      ". ",
      h("button", { type: "button", class: "link-button", onclick: cancelReply }, "Cancel reply"),
    );
    replying.hidden = false;
    form.elements.content.focus();
  }

  function clearProblems() {
    problem.replaceChildren();
    status.replaceChildren();
    for (const error of form.querySelectorAll(".field-error")) {
      error.hidden = true;
      error.textContent = "";
    }
    for (const control of form.querySelectorAll("[aria-invalid]")) {
      control.removeAttribute("aria-invalid");
      control.removeAttribute("aria-describedby");
    }
  }

  function showProblem(error) {
    if (!(error instanceof Problem)) {
      problem.append(h("p", {}, "Your comment could not be sent. Please check your connection and try again."));
      return;
    }
    if (error.status === 429) {
      const wait = error.retryAfter ? ` Please wait ${waitText(error.retryAfter)} before trying again.` : "";
      problem.append(h("p", { class: "rate-limited" }, `You have sent several comments in a short time.${wait}`));
      return;
    }
    if (error.status === 409) {
      problem.append(h("p", {}, "Comments are closed on this article."));
      return;
    }
    // Validation problems point at the fields they are about: "#/author_email".
    const unplaced = [];
    let first = null;
    for (const { pointer, detail } of error.errors) {
      const name = (pointer ?? "").replace(/^#\//, "").split("/")[0];
      const control = name && form.elements[name];
      const message = control && form.querySelector(`#reply-${name}-error`);
      if (!message) {
        unplaced.push(detail);
        continue;
      }
      message.textContent = message.textContent ? `${message.textContent} ${detail}` : detail;
      message.hidden = false;
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", message.id);
      first ??= control;
    }
    problem.append(h("p", {}, first ? "Please correct the marked fields." : error.message), ...unplaced.map((detail) => h("p", {}, detail)));
    first?.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearProblems();
    const value = (name) => form.elements[name].value.trim();
    const data = {
      author_name: value("author_name") || undefined,
      author_email: value("author_email") || undefined,
      author_url: value("author_url") || undefined,
      content: form.elements.content.value.trim() ? form.elements.content.value : undefined,
      notify_replies: form.elements.notify_replies.checked,
      homepage: form.elements.homepage.value || undefined,
      parent_id: parent?.id,
      commenter_token: rememberedToken(value("author_email")),
      form_token: (await requestFormToken())?.form_token,
    };
    submit.disabled = true;
    try {
      const receipt = await postJson(`/articles/${encodeURIComponent(article.slug)}/comments`, data);
      rememberToken(data.author_email, receipt.commenter_token);
      if (receipt.status === "approved" && receipt.comment) {
        onPublished(receipt.comment, replyTo);
        status.append(h("p", {}, "Thank you. Your comment is published."));
      } else {
        status.append(h("p", { class: "pending" }, "Thank you. Your comment is awaiting moderation."));
      }
      form.elements.content.value = "";
      cancelReply();
    } catch (error) {
      showProblem(error);
    } finally {
      submit.disabled = false;
    }
  });

  return { element: respond, replyTo };
}

function countText(count) {
  return count === 1 ? "1 Comment" : `${count} Comments`;
}

// `firstPage` is the body of GET /articles/{slug}/comments.
export function commentsSection(article, firstPage) {
  const list = h("ol", { class: "comment-list" });
  const heading = h("h2", { id: "comments-title" }, article.comment_count ? countText(article.comment_count) : "Comments");
  let replyTo = () => {};

  function published(comment) {
    const item = commentItem(comment, replyTo);
    const parent = comment.parent_id && list.querySelector(`#comment-${comment.parent_id}`)?.parentElement;
    if (parent) {
      const children = parent.querySelector(":scope > ol.children") ?? parent.appendChild(h("ol", { class: "children" }));
      children.append(item);
    } else {
      list.append(item);
    }
  }

  const form = article.comments_open
    ? replyForm(article, published)
    : { element: h("p", { class: "comments-closed" }, "Comments are closed."), replyTo: () => {} };
  replyTo = form.replyTo;

  const more = h("button", { type: "button", class: "more" }, "Show more comments");
  let cursor = null;
  function append(page) {
    list.append(...page.data.map((comment) => commentItem(comment, replyTo)));
    cursor = page.meta.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      append(await getPage(`/articles/${encodeURIComponent(article.slug)}/comments`, {}, cursor));
    } finally {
      more.disabled = false;
    }
  });
  append(firstPage);
  const empty = firstPage.data.length ? null : h("p", { class: "no-comments" }, "No comments yet. Be the first to reply.");
  return h("section", { class: "comments", id: "comments", "aria-labelledby": "comments-title" }, heading, list, empty, more, form.element);
}
