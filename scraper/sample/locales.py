"""UI strings and date formats of Blogger in the three sample locales."""
from __future__ import annotations

from datetime import datetime

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
}
STRINGS = {
    "en": dict(older_posts="Older Posts", newer_posts="Newer Posts", older_post="Older Post",
               newer_post="Newer Post", home="Home", posted_by="Posted by", at="at",
               labels="Labels:", n_comments="{n} comments:", one_comment="1 comment:",
               no_comments="No comments:", archive="Blog Archive", labels_title="Labels",
               post_comment="Post a Comment", subscribe="Subscribe to:", posts_atom="Posts (Atom)",
               comments_link="{n} comments", said="said...", previous_posts="Previous Posts",
               archives="Archives", links="Links", more_posts="More posts", keep_reading="Read more",
               by="By", reply="Reply", mobile="View mobile version", page_not_found="Sorry, the page you were looking for in this blog does not exist."),
    "es": dict(older_posts="Entradas antiguas", newer_posts="Entradas más recientes",
               older_post="Entrada antigua", newer_post="Entrada más reciente", home="Inicio",
               posted_by="Publicado por", at="en", labels="Etiquetas:", n_comments="{n} comentarios:",
               one_comment="1 comentario:", no_comments="No hay comentarios:", archive="Archivo del blog",
               labels_title="Etiquetas", post_comment="Publicar un comentario", subscribe="Suscribirse a:",
               posts_atom="Entradas (Atom)", comments_link="{n} comentarios", said="dijo...",
               previous_posts="Entradas anteriores", archives="Archivos", links="Enlaces",
               more_posts="Más entradas", keep_reading="Leer más", by="Por", reply="Responder",
               mobile="Ver versión para móviles", page_not_found="Lo sentimos, la página que buscas en este blog no existe."),
    "fr": dict(older_posts="Articles plus anciens", newer_posts="Articles plus récents",
               older_post="Article plus ancien", newer_post="Article plus récent", home="Accueil",
               posted_by="Publié par", at="à", labels="Libellés :", n_comments="{n} commentaires:",
               one_comment="1 commentaire:", no_comments="Aucun commentaire:", archive="Archives du blog",
               labels_title="Libellés", post_comment="Enregistrer un commentaire", subscribe="S'abonner à :",
               posts_atom="Articles (Atom)", comments_link="{n} commentaires", said="a dit…",
               previous_posts="Articles précédents", archives="Archives", links="Liens",
               more_posts="Plus d'articles", keep_reading="Lire la suite", by="Par", reply="Répondre",
               mobile="Afficher la version mobile", page_not_found="Désolé, la page que vous recherchez dans ce blog n'existe pas."),
}


def s(locale: str, key: str, **kw) -> str:
    text = STRINGS.get(locale, STRINGS["en"])[key]
    return text.format(**kw) if kw else text


def date_header(when: datetime, locale: str) -> str:
    """'Tuesday, March 4, 2014' / 'martes, 4 de marzo de 2014' / 'mardi 4 mars 2014'."""
    day = WEEKDAYS.get(locale, WEEKDAYS["en"])[when.weekday()]
    month = MONTHS.get(locale, MONTHS["en"])[when.month - 1]
    if locale == "es":
        return f"{day}, {when.day} de {month} de {when.year}"
    if locale == "fr":
        return f"{day} {when.day} {month} {when.year}"
    return f"{day}, {month} {when.day}, {when.year}"


def time_text(when: datetime, locale: str) -> str:
    """Blogger's default timestamp format: '9:23 PM' (en) or '21:23'."""
    if locale == "en":
        hour = when.hour % 12 or 12
        return f"{hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"
    return f"{when.hour}:{when.minute:02d}"


def month_name(month: int, locale: str) -> str:
    return MONTHS.get(locale, MONTHS["en"])[month - 1]


def short_date(when: datetime, locale: str) -> str:
    """Contempo's visible date, 'March 04, 2014' / '04 de marzo de 2014'."""
    month = month_name(when.month, locale)
    if locale == "en":
        return f"{month} {when.day:02d}, {when.year}"
    if locale == "es":
        return f"{when.day:02d} de {month} de {when.year}"
    return f"{when.day:02d} {month} {when.year}"


def comment_time(when: datetime, locale: str) -> str:
    """Threaded comments show 'March 5, 2014 at 9:23 PM' / '5 de marzo de 2014, 21:23'."""
    month = month_name(when.month, locale)
    if locale == "en":
        return f"{month} {when.day}, {when.year} at {time_text(when, locale)}"
    if locale == "es":
        return f"{when.day} de {month} de {when.year}, {time_text(when, locale)}"
    return f"{when.day} {month} {when.year} à {time_text(when, locale)}"
