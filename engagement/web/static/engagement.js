/* The engagement widget bar, v1: Reward, Comment, Repost, Share, Pin and the comment list under an article.
 *
 * Embed: <div data-engagement-article="ID"></div> + <script src=".../widget/v1/engagement.js" defer></script>.
 * The host page supplies `window.engagementTokenProvider`, an async function returning a JWT (or null for an
 * anonymous reader). Plain ES2020 and DOM, no dependencies; everything renders inside a Shadow DOM so the host's
 * CSS cannot reach it. Every action goes through the public /api/v1 with the reader's token.
 */
(() => {
  "use strict";
  if (window.EngagementWidget) {
    window.EngagementWidget.scan();
    return;
  }

  const script = document.currentScript || document.querySelector('script[src*="/widget/v1/engagement.js"]');
  const scriptUrl = new URL(script ? script.src : "/widget/v1/engagement.js", location.href);
  const API = ((script && script.dataset.api) || new URL("/api/v1", scriptUrl).href).replace(/\/$/, "");
  const CSS_URL = new URL("engagement.css", scriptUrl).href;
  const CONFIG_URL = new URL("config.json", scriptUrl).href;
  const MAX_TEXT = 400;
  const AMOUNTS = [5, 10, 25, 50, 100];

  // ---- Message catalogs -------------------------------------------------------------------------------------
  const MESSAGES = {
    en: {
      actions: "Article actions", reward: "Reward", comment: "Comment", repost: "Repost", share: "Share", pin: "Pin",
      unpin: "Unpin", pinned: "Pinned", comments: "Comments", newest: "Newest", top: "Top", sortBy: "Sort comments",
      placeholder: "Add a comment…", replyPlaceholder: "Write a reply…", post: "Post", reply: "Reply", send: "Send",
      cancel: "Cancel", save: "Save", edit: "Edit", delete: "Delete", confirmDelete: "Delete for good?", like: "Like",
      report: "Report", loadMore: "Load more", noComments: "No comments yet. Be the first.", loading: "Loading…",
      showReplies: "Show replies ({n})", hideReplies: "Hide replies", edited: "edited", you: "you",
      deleted: "This comment was deleted.", counter: "{n} of {max} characters",
      held: "Waiting for review — only you can see this. Reason: {reason}.",
      rejectedOwn: "Not published — only you can see this. Reason: {reason}.",
      posted: "Your comment is published.", postedHeld: "Your comment is waiting for a moderator's review.", postedRejected: "Your comment was not published.",
      signIn: "Sign in to {action}.", balance: "Balance: {amount}", amount: "Amount", customAmount: "Other amount",
      currency: "Currency", message: "Message (optional)", sendReward: "Send {amount}",
      rewardSent: "Thank you! You sent {amount}.", rewardHeld: "Reward sent; your message waits for review.",
      quote: "Add a quote (optional)", repostDone: "Reposted.", repostHeld: "Reposted; your quote waits for review.",
      undoRepost: "Undo repost", youReposted: "You reposted this article.", repostRemoved: "Repost removed.",
      shareVia: "Share via", copyLink: "Copy link", linkCopied: "Link copied.", shared: "Shared on {channel}.",
      pinArticle: "Pin to front page", articlePinned: "Article pinned.", articleUnpinned: "Article unpinned.",
      commentPinned: "Comment pinned.", commentUnpinned: "Comment unpinned.",
      reportReason: "Reason", reportSent: "Thanks — a moderator will look at it.", reportAgain: "You already reported this comment.",
      reasons_spam: "Spam", reasons_abuse: "Abuse or harassment", reasons_misinformation: "Misinformation", reasons_other: "Something else",
      rateLimited: "Too many attempts. Please wait {seconds} seconds and try again.",
      rateLimitedSoon: "Too many attempts. Please wait a moment and try again.",
      bannedUntil: "You cannot post until {until}. Reason: {reason}.", banned: "You cannot post. Reason: {reason}.",
      invalid: "Please check the {field}: {detail}", tooLong: "it is longer than {max} characters.", empty: "it is empty.",
      notEnough: "Your balance is too low for this reward.", ownArticle: "You cannot reward your own article.",
      sessionExpired: "Your session has expired. Please sign in again.", forbidden: "You are not allowed to do that.",
      notFound: "This article is not available for comments.", network: "Network problem. Please try again.",
      failed: "Something went wrong. Please try again.", editWindow: "The time to edit this comment has passed.",
      field_body: "comment", field_message: "message", field_quote: "quote", field_amount: "amount", field_reason: "reason",
      field_currency: "currency", field_channel: "channel",
      reason_model_hold: "our automatic filter flagged it ({labels})", reason_model_reject: "our automatic filter blocked it ({labels})",
      reason_queued: "it is still being checked", reason_model_not_ready: "it could not be checked automatically yet",
      reason_model_error: "it could not be checked automatically", reason_reported: "readers reported it",
      reason_moderator_reject: "a moderator rejected it",
      label_toxicity: "toxic", label_severe_toxicity: "severely toxic", label_obscene: "obscene", label_threat: "threat",
      label_insult: "insult", label_identity_attack: "identity attack", label_sexual_explicit: "sexually explicit",
      channel_copy_link: "Copy link", channel_email: "Email",
    },
    zh: {
      actions: "文章操作", reward: "打赏", comment: "评论", repost: "转发", share: "分享", pin: "置顶", unpin: "取消置顶",
      pinned: "已置顶", comments: "评论", newest: "最新", top: "最热", sortBy: "评论排序", placeholder: "写下你的评论…",
      replyPlaceholder: "写下你的回复…", post: "发布", reply: "回复", send: "发送", cancel: "取消", save: "保存", edit: "编辑",
      delete: "删除", confirmDelete: "确定删除？", like: "赞", report: "举报", loadMore: "加载更多",
      noComments: "还没有评论，来抢沙发吧。", loading: "加载中…", showReplies: "查看回复（{n}）", hideReplies: "收起回复",
      edited: "已编辑", you: "我", deleted: "该评论已被删除。", counter: "{n}/{max} 个字符",
      held: "等待审核——仅你可见。原因：{reason}。", rejectedOwn: "未发布——仅你可见。原因：{reason}。",
      posted: "评论已发布。", postedHeld: "你的评论正在等待审核。", postedRejected: "你的评论未能发布。", signIn: "请登录后{action}。", balance: "余额：{amount}",
      amount: "金额", customAmount: "其他金额", currency: "币种", message: "留言（可选）", sendReward: "打赏 {amount}",
      rewardSent: "感谢！你打赏了 {amount}。", rewardHeld: "打赏成功，留言正在等待审核。", quote: "添加引言（可选）",
      repostDone: "已转发。", repostHeld: "已转发，引言正在等待审核。", undoRepost: "取消转发", youReposted: "你已转发这篇文章。",
      repostRemoved: "已取消转发。", shareVia: "分享到", copyLink: "复制链接", linkCopied: "链接已复制。", shared: "已分享到 {channel}。",
      pinArticle: "置顶到首页", articlePinned: "文章已置顶。", articleUnpinned: "文章已取消置顶。", commentPinned: "评论已置顶。",
      commentUnpinned: "评论已取消置顶。", reportReason: "原因", reportSent: "感谢举报，管理员会尽快处理。",
      reportAgain: "你已经举报过这条评论。", reasons_spam: "垃圾信息", reasons_abuse: "辱骂或骚扰", reasons_misinformation: "虚假信息",
      reasons_other: "其他", rateLimited: "操作太频繁，请 {seconds} 秒后再试。", rateLimitedSoon: "操作太频繁，请稍后再试。",
      bannedUntil: "你在 {until} 之前无法发言。原因：{reason}。", banned: "你已被禁止发言。原因：{reason}。",
      invalid: "请检查{field}：{detail}", tooLong: "超过了 {max} 个字符。", empty: "内容为空。", notEnough: "余额不足。",
      ownArticle: "不能打赏自己的文章。", sessionExpired: "登录已过期，请重新登录。", forbidden: "你没有权限执行此操作。",
      notFound: "这篇文章暂不支持评论。", network: "网络错误，请重试。", failed: "出错了，请重试。", editWindow: "已超过可编辑时间。",
      field_body: "评论", field_message: "留言", field_quote: "引言", field_amount: "金额", field_reason: "原因",
      field_currency: "币种", field_channel: "渠道",
      reason_model_hold: "自动审核标记了该内容（{labels}）", reason_model_reject: "自动审核拦截了该内容（{labels}）",
      reason_queued: "正在审核中", reason_model_not_ready: "暂时无法自动审核", reason_model_error: "自动审核失败",
      reason_reported: "被读者举报", reason_moderator_reject: "被管理员拒绝",
      label_toxicity: "有害", label_severe_toxicity: "严重有害", label_obscene: "粗俗", label_threat: "威胁", label_insult: "侮辱",
      label_identity_attack: "身份攻击", label_sexual_explicit: "色情", channel_copy_link: "复制链接", channel_email: "邮件",
    },
    vi: {
      actions: "Thao tác bài viết", reward: "Thưởng", comment: "Bình luận", repost: "Đăng lại", share: "Chia sẻ", pin: "Ghim",
      unpin: "Bỏ ghim", pinned: "Đã ghim", comments: "Bình luận", newest: "Mới nhất", top: "Nổi bật", sortBy: "Sắp xếp bình luận",
      placeholder: "Viết bình luận…", replyPlaceholder: "Viết trả lời…", post: "Đăng", reply: "Trả lời", send: "Gửi", cancel: "Hủy",
      save: "Lưu", edit: "Sửa", delete: "Xóa", confirmDelete: "Xóa vĩnh viễn?", like: "Thích", report: "Báo cáo", loadMore: "Xem thêm",
      noComments: "Chưa có bình luận nào. Hãy là người đầu tiên.", loading: "Đang tải…", showReplies: "Xem trả lời ({n})",
      hideReplies: "Ẩn trả lời", edited: "đã sửa", you: "bạn", deleted: "Bình luận này đã bị xóa.", counter: "{n}/{max} ký tự",
      held: "Đang chờ duyệt — chỉ bạn thấy được. Lý do: {reason}.", rejectedOwn: "Không được đăng — chỉ bạn thấy được. Lý do: {reason}.",
      posted: "Bình luận của bạn đã được đăng.", postedHeld: "Bình luận của bạn đang chờ kiểm duyệt.", postedRejected: "Bình luận của bạn không được đăng.", signIn: "Đăng nhập để {action}.",
      balance: "Số dư: {amount}", amount: "Số tiền", customAmount: "Số khác", currency: "Đơn vị", message: "Lời nhắn (không bắt buộc)",
      sendReward: "Gửi {amount}", rewardSent: "Cảm ơn! Bạn đã gửi {amount}.", rewardHeld: "Đã gửi thưởng; lời nhắn đang chờ duyệt.",
      quote: "Thêm trích dẫn (không bắt buộc)", repostDone: "Đã đăng lại.", repostHeld: "Đã đăng lại; trích dẫn đang chờ duyệt.",
      undoRepost: "Hủy đăng lại", youReposted: "Bạn đã đăng lại bài viết này.", repostRemoved: "Đã hủy đăng lại.", shareVia: "Chia sẻ qua",
      copyLink: "Sao chép liên kết", linkCopied: "Đã sao chép liên kết.", shared: "Đã chia sẻ lên {channel}.", pinArticle: "Ghim lên trang nhất",
      articlePinned: "Đã ghim bài viết.", articleUnpinned: "Đã bỏ ghim bài viết.", commentPinned: "Đã ghim bình luận.",
      commentUnpinned: "Đã bỏ ghim bình luận.", reportReason: "Lý do", reportSent: "Cảm ơn — kiểm duyệt viên sẽ xem xét.",
      reportAgain: "Bạn đã báo cáo bình luận này rồi.", reasons_spam: "Spam", reasons_abuse: "Lăng mạ hoặc quấy rối",
      reasons_misinformation: "Thông tin sai lệch", reasons_other: "Lý do khác",
      rateLimited: "Bạn thao tác quá nhanh. Vui lòng đợi {seconds} giây rồi thử lại.", rateLimitedSoon: "Bạn thao tác quá nhanh. Vui lòng thử lại sau.",
      bannedUntil: "Bạn không thể đăng bài cho đến {until}. Lý do: {reason}.", banned: "Bạn không thể đăng bài. Lý do: {reason}.",
      invalid: "Vui lòng kiểm tra {field}: {detail}", tooLong: "dài hơn {max} ký tự.", empty: "đang trống.", notEnough: "Số dư không đủ.",
      ownArticle: "Bạn không thể thưởng cho bài viết của chính mình.", sessionExpired: "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
      forbidden: "Bạn không có quyền làm việc này.", notFound: "Bài viết này không nhận bình luận.", network: "Lỗi mạng. Vui lòng thử lại.",
      failed: "Đã có lỗi. Vui lòng thử lại.", editWindow: "Đã hết thời gian sửa bình luận.", field_body: "bình luận",
      field_message: "lời nhắn", field_quote: "trích dẫn", field_amount: "số tiền", field_reason: "lý do", field_currency: "đơn vị",
      field_channel: "kênh", reason_model_hold: "bộ lọc tự động đã gắn cờ ({labels})", reason_model_reject: "bộ lọc tự động đã chặn ({labels})",
      reason_queued: "đang được kiểm tra", reason_model_not_ready: "chưa thể kiểm tra tự động", reason_model_error: "không thể kiểm tra tự động",
      reason_reported: "bị độc giả báo cáo", reason_moderator_reject: "kiểm duyệt viên đã từ chối",
      label_toxicity: "độc hại", label_severe_toxicity: "rất độc hại", label_obscene: "tục tĩu", label_threat: "đe dọa",
      label_insult: "xúc phạm", label_identity_attack: "công kích danh tính", label_sexual_explicit: "khiêu dâm",
      channel_copy_link: "Sao chép liên kết", channel_email: "Email",
    },
    es: {
      actions: "Acciones del artículo", reward: "Recompensar", comment: "Comentar", repost: "Republicar", share: "Compartir", pin: "Fijar",
      unpin: "Desfijar", pinned: "Fijado", comments: "Comentarios", newest: "Recientes", top: "Destacados", sortBy: "Ordenar comentarios",
      placeholder: "Escribe un comentario…", replyPlaceholder: "Escribe una respuesta…", post: "Publicar", reply: "Responder", send: "Enviar",
      cancel: "Cancelar", save: "Guardar", edit: "Editar", delete: "Eliminar", confirmDelete: "¿Eliminar definitivamente?", like: "Me gusta",
      report: "Denunciar", loadMore: "Cargar más", noComments: "Aún no hay comentarios. Sé el primero.", loading: "Cargando…",
      showReplies: "Ver respuestas ({n})", hideReplies: "Ocultar respuestas", edited: "editado", you: "tú",
      deleted: "Este comentario fue eliminado.", counter: "{n} de {max} caracteres",
      held: "Pendiente de revisión: solo tú puedes verlo. Motivo: {reason}.", rejectedOwn: "No publicado: solo tú puedes verlo. Motivo: {reason}.",
      posted: "Tu comentario se ha publicado.", postedHeld: "Tu comentario espera la revisión de un moderador.", postedRejected: "Tu comentario no se ha publicado.", signIn: "Inicia sesión para {action}.",
      balance: "Saldo: {amount}", amount: "Cantidad", customAmount: "Otra cantidad", currency: "Moneda", message: "Mensaje (opcional)",
      sendReward: "Enviar {amount}", rewardSent: "¡Gracias! Enviaste {amount}.", rewardHeld: "Recompensa enviada; tu mensaje espera revisión.",
      quote: "Añade una cita (opcional)", repostDone: "Republicado.", repostHeld: "Republicado; tu cita espera revisión.",
      undoRepost: "Deshacer republicación", youReposted: "Has republicado este artículo.", repostRemoved: "Republicación eliminada.",
      shareVia: "Compartir en", copyLink: "Copiar enlace", linkCopied: "Enlace copiado.", shared: "Compartido en {channel}.",
      pinArticle: "Fijar en portada", articlePinned: "Artículo fijado.", articleUnpinned: "Artículo desfijado.", commentPinned: "Comentario fijado.",
      commentUnpinned: "Comentario desfijado.", reportReason: "Motivo", reportSent: "Gracias: un moderador lo revisará.",
      reportAgain: "Ya denunciaste este comentario.", reasons_spam: "Spam", reasons_abuse: "Insultos o acoso",
      reasons_misinformation: "Desinformación", reasons_other: "Otro motivo",
      rateLimited: "Demasiados intentos. Espera {seconds} segundos y vuelve a intentarlo.", rateLimitedSoon: "Demasiados intentos. Espera un momento.",
      bannedUntil: "No puedes publicar hasta el {until}. Motivo: {reason}.", banned: "No puedes publicar. Motivo: {reason}.",
      invalid: "Revisa el campo {field}: {detail}", tooLong: "tiene más de {max} caracteres.", empty: "está vacío.",
      notEnough: "Tu saldo no alcanza para esta recompensa.", ownArticle: "No puedes recompensar tu propio artículo.",
      sessionExpired: "Tu sesión ha caducado. Vuelve a iniciar sesión.", forbidden: "No tienes permiso para hacer eso.",
      notFound: "Este artículo no admite comentarios.", network: "Problema de red. Inténtalo de nuevo.", failed: "Algo salió mal. Inténtalo de nuevo.",
      editWindow: "Ya pasó el plazo para editar este comentario.", field_body: "comentario", field_message: "mensaje", field_quote: "cita",
      field_amount: "cantidad", field_reason: "motivo", field_currency: "moneda", field_channel: "canal",
      reason_model_hold: "nuestro filtro automático lo marcó ({labels})", reason_model_reject: "nuestro filtro automático lo bloqueó ({labels})",
      reason_queued: "aún se está revisando", reason_model_not_ready: "todavía no se pudo revisar automáticamente",
      reason_model_error: "no se pudo revisar automáticamente", reason_reported: "lo denunciaron otros lectores",
      reason_moderator_reject: "un moderador lo rechazó", label_toxicity: "tóxico", label_severe_toxicity: "muy tóxico",
      label_obscene: "obsceno", label_threat: "amenaza", label_insult: "insulto", label_identity_attack: "ataque a la identidad",
      label_sexual_explicit: "sexual explícito", channel_copy_link: "Copiar enlace", channel_email: "Correo",
    },
    ru: {
      actions: "Действия со статьёй", reward: "Наградить", comment: "Комментарий", repost: "Репост", share: "Поделиться", pin: "Закрепить",
      unpin: "Открепить", pinned: "Закреплено", comments: "Комментарии", newest: "Новые", top: "Лучшие", sortBy: "Сортировка комментариев",
      placeholder: "Напишите комментарий…", replyPlaceholder: "Напишите ответ…", post: "Отправить", reply: "Ответить", send: "Отправить",
      cancel: "Отмена", save: "Сохранить", edit: "Изменить", delete: "Удалить", confirmDelete: "Удалить навсегда?", like: "Нравится",
      report: "Пожаловаться", loadMore: "Показать ещё", noComments: "Комментариев пока нет. Будьте первым.", loading: "Загрузка…",
      showReplies: "Показать ответы ({n})", hideReplies: "Скрыть ответы", edited: "изменено", you: "вы",
      deleted: "Комментарий удалён.", counter: "{n} из {max} символов",
      held: "Ожидает проверки — видно только вам. Причина: {reason}.", rejectedOwn: "Не опубликовано — видно только вам. Причина: {reason}.",
      posted: "Комментарий опубликован.", postedHeld: "Комментарий ожидает проверки модератором.", postedRejected: "Комментарий не опубликован.", signIn: "Войдите, чтобы {action}.",
      balance: "Баланс: {amount}", amount: "Сумма", customAmount: "Другая сумма", currency: "Валюта", message: "Сообщение (необязательно)",
      sendReward: "Отправить {amount}", rewardSent: "Спасибо! Вы отправили {amount}.", rewardHeld: "Награда отправлена; сообщение ждёт проверки.",
      quote: "Добавьте цитату (необязательно)", repostDone: "Репост сделан.", repostHeld: "Репост сделан; цитата ждёт проверки.",
      undoRepost: "Отменить репост", youReposted: "Вы сделали репост этой статьи.", repostRemoved: "Репост отменён.", shareVia: "Поделиться через",
      copyLink: "Копировать ссылку", linkCopied: "Ссылка скопирована.", shared: "Опубликовано в {channel}.", pinArticle: "Закрепить на главной",
      articlePinned: "Статья закреплена.", articleUnpinned: "Статья откреплена.", commentPinned: "Комментарий закреплён.",
      commentUnpinned: "Комментарий откреплён.", reportReason: "Причина", reportSent: "Спасибо — модератор проверит.",
      reportAgain: "Вы уже пожаловались на этот комментарий.", reasons_spam: "Спам", reasons_abuse: "Оскорбления или травля",
      reasons_misinformation: "Дезинформация", reasons_other: "Другое",
      rateLimited: "Слишком много попыток. Подождите {seconds} с и попробуйте снова.", rateLimitedSoon: "Слишком много попыток. Подождите немного.",
      bannedUntil: "Вы не можете писать до {until}. Причина: {reason}.", banned: "Вы не можете писать. Причина: {reason}.",
      invalid: "Проверьте поле «{field}»: {detail}", tooLong: "длиннее {max} символов.", empty: "оно пустое.", notEnough: "Недостаточно средств.",
      ownArticle: "Нельзя наградить собственную статью.", sessionExpired: "Сеанс истёк. Войдите снова.", forbidden: "У вас нет прав на это действие.",
      notFound: "Комментарии к этой статье недоступны.", network: "Ошибка сети. Попробуйте снова.", failed: "Что-то пошло не так. Попробуйте снова.",
      editWindow: "Время на редактирование истекло.", field_body: "комментарий", field_message: "сообщение", field_quote: "цитата",
      field_amount: "сумма", field_reason: "причина", field_currency: "валюта", field_channel: "канал",
      reason_model_hold: "автоматический фильтр пометил текст ({labels})", reason_model_reject: "автоматический фильтр заблокировал текст ({labels})",
      reason_queued: "текст ещё проверяется", reason_model_not_ready: "автоматическая проверка пока недоступна",
      reason_model_error: "автоматическая проверка не удалась", reason_reported: "на текст пожаловались читатели",
      reason_moderator_reject: "модератор отклонил текст", label_toxicity: "токсичность", label_severe_toxicity: "сильная токсичность",
      label_obscene: "непристойность", label_threat: "угроза", label_insult: "оскорбление", label_identity_attack: "нападки на идентичность",
      label_sexual_explicit: "откровенный контент", channel_copy_link: "Копировать ссылку", channel_email: "Почта",
    },
    ar: {
      actions: "إجراءات المقال", reward: "مكافأة", comment: "تعليق", repost: "إعادة نشر", share: "مشاركة", pin: "تثبيت",
      unpin: "إلغاء التثبيت", pinned: "مثبّت", comments: "التعليقات", newest: "الأحدث", top: "الأبرز", sortBy: "ترتيب التعليقات",
      placeholder: "أضف تعليقًا…", replyPlaceholder: "اكتب ردًا…", post: "نشر", reply: "رد", send: "إرسال", cancel: "إلغاء", save: "حفظ",
      edit: "تعديل", delete: "حذف", confirmDelete: "حذف نهائيًا؟", like: "إعجاب", report: "إبلاغ", loadMore: "عرض المزيد",
      noComments: "لا توجد تعليقات بعد. كن أول من يعلّق.", loading: "جارٍ التحميل…", showReplies: "عرض الردود ({n})",
      hideReplies: "إخفاء الردود", edited: "معدّل", you: "أنت", deleted: "حُذف هذا التعليق.", counter: "{n} من {max} حرفًا",
      held: "بانتظار المراجعة — لا يراه أحد غيرك. السبب: {reason}.", rejectedOwn: "لم يُنشر — لا يراه أحد غيرك. السبب: {reason}.",
      posted: "نُشر تعليقك.", postedHeld: "تعليقك بانتظار مراجعة المشرف.", postedRejected: "لم يُنشر تعليقك.", signIn: "سجّل الدخول من أجل {action}.", balance: "الرصيد: {amount}",
      amount: "المبلغ", customAmount: "مبلغ آخر", currency: "العملة", message: "رسالة (اختيارية)", sendReward: "إرسال {amount}",
      rewardSent: "شكرًا! أرسلت {amount}.", rewardHeld: "أُرسلت المكافأة؛ رسالتك بانتظار المراجعة.", quote: "أضف اقتباسًا (اختياري)",
      repostDone: "تمت إعادة النشر.", repostHeld: "تمت إعادة النشر؛ اقتباسك بانتظار المراجعة.", undoRepost: "التراجع عن إعادة النشر",
      youReposted: "أعدت نشر هذا المقال.", repostRemoved: "أُلغيت إعادة النشر.", shareVia: "مشاركة عبر", copyLink: "نسخ الرابط",
      linkCopied: "نُسخ الرابط.", shared: "تمت المشاركة على {channel}.", pinArticle: "تثبيت في الصفحة الأولى", articlePinned: "ثُبّت المقال.",
      articleUnpinned: "أُلغي تثبيت المقال.", commentPinned: "ثُبّت التعليق.", commentUnpinned: "أُلغي تثبيت التعليق.", reportReason: "السبب",
      reportSent: "شكرًا — سيراجعه أحد المشرفين.", reportAgain: "سبق أن أبلغت عن هذا التعليق.", reasons_spam: "رسائل مزعجة",
      reasons_abuse: "إساءة أو تحرش", reasons_misinformation: "معلومات مضللة", reasons_other: "سبب آخر",
      rateLimited: "محاولات كثيرة جدًا. انتظر {seconds} ثانية ثم حاول مجددًا.", rateLimitedSoon: "محاولات كثيرة جدًا. انتظر قليلًا ثم حاول مجددًا.",
      bannedUntil: "لا يمكنك النشر حتى {until}. السبب: {reason}.", banned: "لا يمكنك النشر. السبب: {reason}.",
      invalid: "يرجى التحقق من {field}: {detail}", tooLong: "أطول من {max} حرفًا.", empty: "فارغ.", notEnough: "رصيدك لا يكفي لهذه المكافأة.",
      ownArticle: "لا يمكنك مكافأة مقالك.", sessionExpired: "انتهت جلستك. يرجى تسجيل الدخول مجددًا.", forbidden: "غير مسموح لك بذلك.",
      notFound: "التعليقات غير متاحة لهذا المقال.", network: "مشكلة في الشبكة. حاول مجددًا.", failed: "حدث خطأ ما. حاول مجددًا.",
      editWindow: "انتهت مهلة تعديل هذا التعليق.", field_body: "التعليق", field_message: "الرسالة", field_quote: "الاقتباس",
      field_amount: "المبلغ", field_reason: "السبب", field_currency: "العملة", field_channel: "القناة",
      reason_model_hold: "أشار إليه مرشحنا الآلي ({labels})", reason_model_reject: "حجبه مرشحنا الآلي ({labels})",
      reason_queued: "ما زال قيد الفحص", reason_model_not_ready: "تعذّر فحصه آليًا بعد", reason_model_error: "تعذّر فحصه آليًا",
      reason_reported: "أبلغ عنه القرّاء", reason_moderator_reject: "رفضه أحد المشرفين", label_toxicity: "مسيء",
      label_severe_toxicity: "مسيء جدًا", label_obscene: "بذيء", label_threat: "تهديد", label_insult: "إهانة",
      label_identity_attack: "هجوم على الهوية", label_sexual_explicit: "محتوى جنسي", channel_copy_link: "نسخ الرابط", channel_email: "البريد",
    },
  };
  const RTL = new Set(["ar"]);
  const REPORT_REASONS = ["spam", "abuse", "misinformation", "other"];
  const CHANNEL_NAMES = { x: "X", telegram: "Telegram", facebook: "Facebook", linkedin: "LinkedIn", reddit: "Reddit", whatsapp: "WhatsApp" };

  // ---- Text, exactly as the API counts it (engagement/text.py) ----------------------------------------------
  // Control characters other than newline go; tabs become spaces; then Python's str.strip() whitespace, which is
  // JavaScript's trim() set minus U+FEFF.
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
  const EDGES = /^[ \n\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+|[ \n\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+$/g;
  const cleanText = (raw) => raw.replace(/\r\n?/g, "\n").replace(/\t/g, " ").normalize("NFC").replace(CONTROL, "").replace(EDGES, "");
  const countText = (raw) => [...cleanText(raw)].length;

  function clampText(raw, max) {
    if (countText(raw) <= max) return raw;
    const points = [...raw];
    let low = 0;
    let high = points.length;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (countText(points.slice(0, middle).join("")) <= max) low = middle;
      else high = middle - 1;
    }
    return points.slice(0, low).join("");
  }

  // ---- Small helpers ------------------------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child != null && child !== false) el.append(child);
    return el;
  }

  const ICONS = {
    reward: "M20 12v10H4V12M2 7h20v5H2zM12 22V7M12 7H7.5a2.5 2.5 0 010-5C11 2 12 7 12 7zM12 7h4.5a2.5 2.5 0 000-5C13 2 12 7 12 7z",
    comment: "M21 11.5a8.4 8.4 0 01-9 8.5 8.4 8.4 0 01-3.8-.9L3 21l1.9-5.7A8.5 8.5 0 1121 11.5z",
    repost: "M17 1l4 4-4 4M3 11V9a4 4 0 014-4h14M7 23l-4-4 4-4M21 13v2a4 4 0 01-4 4H3",
    share: "M4 12v8a2 2 0 002 2h12a2 2 0 002-2v-8M16 6l-4-4-4 4M12 2v13",
    pin: "M19 21l-7-5-7 5V5a2 2 0 012-2h10a2 2 0 012 2z",
    like: "M20.8 4.6a5.5 5.5 0 00-7.7 0L12 5.7l-1.1-1.1a5.5 5.5 0 00-7.7 7.8L12 21.2l8.8-8.8a5.5 5.5 0 000-7.8z",
  };

  function icon(name) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "icon");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function claimsOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(part + "=".repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return null;
    }
  }

  async function currentToken() {
    const provider = window.engagementTokenProvider;
    if (typeof provider !== "function") return null;
    try {
      return (await provider()) || null;
    } catch {
      return null;
    }
  }

  class ApiError extends Error {
    constructor(status, body, headers) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.body = body || {};
      this.retryAfter = headers ? Number.parseInt(headers.get("Retry-After") || "", 10) : NaN;
    }
  }

  async function request(method, path, { body, headers = {}, anonymous = false } = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers } };
    const token = anonymous ? null : await currentToken();
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API + path, init);
    } catch {
      throw new ApiError(0, null, null);
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data, response.headers);
    return data;
  }

  let configPromise = null;
  function loadConfig() {
    configPromise ||= fetch(CONFIG_URL)
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}));
    return configPromise.then((c) => ({
      channels: ["x", "telegram", "facebook", "linkedin", "reddit", "whatsapp", "email", "copy_link"],
      currencies: ["PTS"],
      reward_max_amount: 100000,
      text_max_length: MAX_TEXT,
      edit_window_seconds: 900,
      ...c,
    }));
  }

  const enc = encodeURIComponent;

  // ---- The widget --------------------------------------------------------------------------------------------
  class Widget {
    constructor(host) {
      this.host = host;
      this.articleId = host.dataset.engagementArticle;
      this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
      this.sort = "newest";
      this.held = new Map();
      this.pollTimer = null;
      this.rewardAttempt = null;
    }

    t(key, vars = {}) {
      const template = (MESSAGES[this.lang] && MESSAGES[this.lang][key]) ?? MESSAGES.en[key] ?? key;
      return template.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? ""));
    }

    async start() {
      this.host.removeAttribute("data-engagement-ready");
      const raw = (this.host.dataset.lang || document.documentElement.lang || "en").toLowerCase();
      const base = raw.split(/[-_]/)[0];
      this.lang = MESSAGES[base] ? base : "en";
      this.numbers = new Intl.NumberFormat(this.lang);
      const token = await currentToken();
      const claims = token ? claimsOf(token) : null;
      // For display only: the server checks every action against the token itself.
      this.me = claims && claims.sub ? String(claims.sub) : null;
      this.role = this.me ? claims.role || "user" : null;
      this.config = await loadConfig();
      this.maxText = this.config.text_max_length || MAX_TEXT;
      try {
        this.article = await request("GET", `/articles/${enc(this.articleId)}`);
      } catch (error) {
        this.article = null;
        this.renderShell();
        this.say(error.status === 404 ? this.t("notFound") : this.describe(error), true);
        return;
      }
      this.renderShell();
      await this.loadComments(true);
      this.host.setAttribute("data-engagement-ready", "");
      this.host.dispatchEvent(new CustomEvent("engagement:ready", { bubbles: true }));
    }

    get canModerate() {
      return this.role === "moderator" || this.role === "admin";
    }

    // Every error the API can send, as a sentence a reader understands.
    describe(error) {
      const body = error.body || {};
      const errors = body.errors || {};
      switch (error.status) {
        case 0:
          return this.t("network");
        case 401:
          return this.t("sessionExpired");
        case 403:
          if (errors.ban) {
            const reason = errors.ban.reason || "—";
            if (!errors.ban.until) return this.t("banned", { reason });
            const until = new Intl.DateTimeFormat(this.lang, { dateStyle: "long", timeStyle: "short" }).format(new Date(errors.ban.until));
            return this.t("bannedUntil", { until, reason });
          }
          if (/edit/i.test(body.message || "")) return this.t("editWindow");
          return this.t("forbidden");
        case 404:
          return this.t("notFound");
        case 409:
          if (errors.amount) return this.t("notEnough");
          if (/report/i.test(body.message || "")) return this.t("reportAgain");
          return body.message || this.t("failed");
        case 422: {
          const [field, detail] = Object.entries(errors)[0] || [];
          if (!field) return /own/i.test(body.message || "") ? this.t("ownArticle") : body.message || this.t("failed");
          const text = String((Array.isArray(detail) ? detail[0] : detail) || "");
          let sentence = text;
          if (/longer than/i.test(text)) sentence = this.t("tooLong", { max: this.maxText });
          else if (/empty/i.test(text)) sentence = this.t("empty");
          else if (/own article/i.test(body.message || "")) return this.t("ownArticle");
          return this.t("invalid", { field: this.t(`field_${field}`), detail: sentence });
        }
        case 429:
          return Number.isFinite(error.retryAfter) ? this.t("rateLimited", { seconds: this.numbers.format(error.retryAfter) }) : this.t("rateLimitedSoon");
        default:
          return this.t("failed");
      }
    }

    say(text, isError = false) {
      this.status.textContent = text;
      this.status.classList.toggle("error", isError);
    }

    async run(action, button) {
      // A disabled button drops the focus; it comes back when the button does, so keyboard users stay in place.
      const focused = button && this.root.activeElement === button;
      if (button) button.disabled = true;
      try {
        return await action();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        this.say(this.describe(error), true);
        return undefined;
      } finally {
        if (button) button.disabled = false;
        if (focused && button.isConnected) button.focus();
      }
    }

    money(amount, currency) {
      return `${this.numbers.format(amount)} ${currency}`;
    }

    reasonText(item) {
      const moderation = item.moderation || {};
      const labels = (moderation.labels || []).map((label) => this.t(`label_${label}`)).join(", ") || "—";
      const key = `reason_${moderation.reason}`;
      const known = MESSAGES.en[key] !== undefined;
      return known ? this.t(key, { labels }) : labels;
    }

    // ---- Layout --------------------------------------------------------------------------------------------
    renderShell() {
      this.root.replaceChildren();
      const dir = RTL.has(this.lang) ? "rtl" : "ltr";
      this.status = h("p", { class: "status", role: "status", "aria-live": "polite" });
      this.panel = h("div", { class: "panel", id: "eg-panel", hidden: true });
      this.panel.addEventListener("keydown", (event) => {
        if (event.key !== "Escape" || !this.openPanel) return;
        const name = this.openPanel;
        this.togglePanel(name);
        this.bar.querySelector(`[data-action="${name}"]`).focus();
      });
      this.bar = h("div", { class: "bar", role: "group", "aria-label": this.t("actions") });
      this.container = h("div", { class: "eg", dir, lang: this.lang, part: "root" }, this.bar, this.panel, this.status);
      this.root.append(h("link", { rel: "stylesheet", href: CSS_URL }), this.container);
      if (!this.article) return;
      this.renderBar();
      this.renderComments();
    }

    renderBar() {
      const a = this.article;
      const rewardTotal = Object.entries(a.reward_total || {}).map(([cur, n]) => this.money(n, cur)).join(" · ");
      const button = (name, label, count, onclick, extra = {}) =>
        h("button", { type: "button", class: `act act-${name}`, "data-action": name, onclick, ...extra },
          icon(name), h("span", { class: "label", text: label }),
          count == null ? null : h("span", { class: "count", text: this.numbers.format(count) }));
      const panelButton = (name, label, count, extra) =>
        button(name, label, count, () => this.togglePanel(name), { "aria-expanded": String(this.openPanel === name), "aria-controls": "eg-panel", ...extra });
      this.bar.replaceChildren(...[
        panelButton("reward", this.t("reward"), a.reward_count, { title: rewardTotal || null, "aria-pressed": a.viewer && a.viewer.rewarded ? "true" : null }),
        button("comment", this.t("comment"), a.comment_count, () => this.compose && this.compose.focus()),
        panelButton("repost", this.t("repost"), a.repost_count, { "aria-pressed": a.viewer && a.viewer.reposted ? "true" : "false" }),
        panelButton("share", this.t("share"), a.share_count),
        this.role === "admin"
          ? button("pin", a.pinned ? this.t("unpin") : this.t("pin"), null, (event) => this.togglePin(event.currentTarget), { "aria-pressed": String(!!a.pinned), title: this.t("pinArticle") })
          : null,
      ].filter(Boolean));
    }

    async refreshArticle() {
      try {
        this.article = await request("GET", `/articles/${enc(this.articleId)}`);
        this.renderBar();
        this.commentsHeading.textContent = `${this.t("comments")} · ${this.numbers.format(this.article.comment_count)}`;
      } catch {
        /* the counters are a nicety; the action itself already succeeded */
      }
    }

    togglePanel(name) {
      this.openPanel = this.openPanel === name ? null : name;
      this.panel.hidden = !this.openPanel;
      this.panel.replaceChildren();
      if (this.openPanel === "reward") this.renderReward();
      if (this.openPanel === "repost") this.renderRepost();
      if (this.openPanel === "share") this.renderShare();
      this.renderBar();
      const first = this.panel.querySelector("input, textarea, button");
      if (first) first.focus();
    }

    needSignIn(action) {
      this.panel.append(h("p", { class: "hint", text: this.t("signIn", { action: this.t(action).toLowerCase() }) }));
    }

    // A textarea with the live N/400 counter; input past the limit is cut at the limit, as the API counts.
    textField(placeholder, label) {
      const counter = h("span", { class: "counter", dir: "ltr", "aria-live": "polite", "aria-atomic": "true" });
      const area = h("textarea", { rows: "3", dir: "auto", placeholder, "aria-label": label || placeholder, spellcheck: "true" });
      const update = () => {
        const clamped = clampText(area.value, this.maxText);
        if (clamped !== area.value) area.value = clamped;
        const n = countText(area.value);
        counter.textContent = `${n}/${this.maxText}`;
        counter.setAttribute("aria-label", this.t("counter", { n, max: this.maxText }));
        counter.classList.toggle("full", n >= this.maxText);
        area.dispatchEvent(new CustomEvent("counted", { detail: n }));
      };
      area.addEventListener("input", update);
      update();
      return { area, counter, update };
    }

    renderReward() {
      if (!this.me) return this.needSignIn("reward");
      const currencies = this.config.currencies || ["PTS"];
      let currency = currencies[0];
      let amount = AMOUNTS[1];
      const balance = h("p", { class: "balance", "aria-live": "polite" });
      const showBalance = async () => {
        try {
          const wallet = await request("GET", "/me/wallet?limit=1");
          balance.textContent = this.t("balance", { amount: this.money(wallet.balances[currency] ?? 0, currency) });
        } catch (error) {
          balance.textContent = this.describe(error);
        }
      };
      const send = h("button", { type: "submit", class: "primary" });
      const label = () => (send.textContent = this.t("sendReward", { amount: this.money(amount || 0, currency) }));
      const custom = h("input", { type: "number", min: "1", max: String(this.config.reward_max_amount), inputmode: "numeric", class: "custom", "aria-label": this.t("customAmount"), placeholder: this.t("customAmount") });
      const chips = AMOUNTS.map((value) => {
        const input = h("input", { type: "radio", name: "eg-amount", value: String(value), checked: value === amount, onchange: () => { amount = value; custom.value = ""; label(); } });
        return h("label", { class: "chip" }, input, h("span", { text: this.numbers.format(value) }));
      });
      custom.addEventListener("input", () => {
        const value = Number.parseInt(custom.value, 10);
        if (value > 0) {
          amount = value;
          for (const chip of chips) chip.querySelector("input").checked = false;
        }
        label();
      });
      const currencyPicker = currencies.length > 1
        ? h("select", { "aria-label": this.t("currency"), onchange: (e) => { currency = e.target.value; label(); showBalance(); } }, currencies.map((c) => h("option", { value: c, text: c })))
        : null;
      const message = this.textField(this.t("message"));
      const form = h("form", { class: "reward-form", novalidate: true },
        balance,
        h("fieldset", { class: "amounts" }, h("legend", { text: this.t("amount") }), chips, custom, currencyPicker),
        h("div", { class: "field" }, message.area, message.counter),
        h("div", { class: "row" }, send));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const payload = { amount, currency, message: cleanText(message.area.value) || null };
        const fingerprint = JSON.stringify(payload);
        // One Idempotency-Key per attempt; a retry of the same reward (after a network error or a 5xx) reuses it,
        // so the server replays rather than charging twice.
        if (!this.rewardAttempt || this.rewardAttempt.fingerprint !== fingerprint) this.rewardAttempt = { fingerprint, key: newKey() };
        const reward = await this.run(() => request("POST", `/articles/${enc(this.articleId)}/rewards`, { body: payload, headers: { "Idempotency-Key": this.rewardAttempt.key } }), send);
        if (!reward) {
          label();
          return;
        }
        this.rewardAttempt = null;
        message.area.value = "";
        message.update();
        this.say(reward.message_status === "pending_review" ? this.t("rewardHeld") : this.t("rewardSent", { amount: this.money(reward.amount, reward.currency) }));
        label();
        showBalance();
        this.refreshArticle();
      });
      label();
      showBalance();
      this.panel.append(form);
    }

    renderRepost() {
      if (!this.me) return this.needSignIn("repost");
      const viewer = this.article.viewer || {};
      if (viewer.reposted) {
        const undo = h("button", { type: "button", onclick: async () => {
          const done = await this.run(async () => (await request("DELETE", `/articles/${enc(this.articleId)}/repost`), true), undo);
          if (!done) return;
          this.say(this.t("repostRemoved"));
          await this.refreshArticle();
          this.openPanel = null;
          this.togglePanel("repost");
        } }, this.t("undoRepost"));
        this.panel.append(h("div", { class: "row" }, h("p", { class: "hint", text: this.t("youReposted") }), undo));
        return;
      }
      const quote = this.textField(this.t("quote"));
      const send = h("button", { type: "submit", class: "primary", text: this.t("repost") });
      const form = h("form", {}, h("div", { class: "field" }, quote.area, quote.counter), h("div", { class: "row" }, send));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const text = cleanText(quote.area.value);
        const repost = await this.run(() => request("PUT", `/articles/${enc(this.articleId)}/repost`, { body: { quote: text || null } }), send);
        if (!repost) return;
        this.say(repost.quote_status === "pending_review" ? this.t("repostHeld") : this.t("repostDone"));
        await this.refreshArticle();
        this.openPanel = null;
        this.togglePanel("repost");
      });
      this.panel.append(form);
    }

    renderShare() {
      const counts = this.article.share_counts || {};
      const name = (channel) => CHANNEL_NAMES[channel] || this.t(`channel_${channel}`);
      const list = h("ul", { class: "channels", "aria-label": this.t("shareVia") });
      for (const channel of this.config.channels) {
        const count = h("span", { class: "count", text: this.numbers.format(counts[channel] || 0) });
        const button = h("button", { type: "button", "data-channel": channel }, h("span", { class: "label", text: name(channel) }), count);
        button.addEventListener("click", async () => {
          // Opened before the request so popup blockers see a user gesture; pointed at the intent once known.
          const popup = channel === "copy_link" ? null : window.open("about:blank", "_blank");
          const shared = await this.run(() => request("POST", `/articles/${enc(this.articleId)}/shares`, { body: { channel } }), button);
          if (!shared) {
            if (popup) popup.close();
            return;
          }
          count.textContent = this.numbers.format(shared.channel_share_count);
          if (channel === "copy_link") {
            await this.copy(shared.share_url);
          } else {
            if (popup) {
              popup.opener = null;
              popup.location.href = shared.intent_url || shared.share_url;
            }
            this.say(this.t("shared", { channel: name(channel) }));
          }
          this.refreshArticle();
        });
        list.append(h("li", {}, button));
      }
      this.panel.append(h("p", { class: "legend", text: this.t("shareVia") }), list);
    }

    async copy(text) {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        // No clipboard API (plain http, or denied): leave the link selected for the reader to copy.
        const field = h("input", { type: "text", readonly: true, value: text, class: "copy-field", "aria-label": this.t("copyLink") });
        this.panel.append(field);
        field.select();
      }
      this.say(this.t("linkCopied"));
    }

    async togglePin(button) {
      const pinned = !!this.article.pinned;
      const done = await this.run(async () => {
        await request(pinned ? "DELETE" : "PUT", `/pins/${enc(this.articleId)}`, pinned ? {} : { body: {} });
        return true;
      }, button);
      if (!done) return;
      this.say(pinned ? this.t("articleUnpinned") : this.t("articlePinned"));
      await this.refreshArticle();
      const pin = this.bar.querySelector('[data-action="pin"]');
      if (pin) pin.focus();
    }

    // ---- Comments -------------------------------------------------------------------------------------------
    renderComments() {
      this.commentsHeading = h("h2", { text: `${this.t("comments")} · ${this.numbers.format(this.article.comment_count)}` });
      const tabs = h("div", { class: "sort", role: "radiogroup", "aria-label": this.t("sortBy") });
      for (const sort of ["newest", "top"]) {
        const input = h("input", { type: "radio", name: "eg-sort", value: sort, checked: sort === this.sort, onchange: () => { this.sort = sort; this.loadComments(true); } });
        tabs.append(h("label", { class: "tab" }, input, h("span", { text: this.t(sort) })));
      }
      this.list = h("ul", { class: "list" });
      this.empty = h("p", { class: "empty", hidden: true, text: this.t("noComments") });
      this.more = h("button", { type: "button", class: "more", hidden: true, text: this.t("loadMore"), onclick: () => this.loadComments(false) });
      const section = h("section", { class: "comments", "aria-label": this.t("comments") }, h("header", {}, this.commentsHeading, tabs));
      if (this.me) section.append(this.composer(null));
      else section.append(h("p", { class: "hint", text: this.t("signIn", { action: this.t("comment").toLowerCase() }) }));
      section.append(this.list, this.empty, this.more);
      this.container.append(section);
    }

    composer(parent, onDone) {
      const field = this.textField(parent ? this.t("replyPlaceholder") : this.t("placeholder"));
      const post = h("button", { type: "submit", class: "primary", text: parent ? this.t("reply") : this.t("post"), disabled: true });
      field.area.addEventListener("counted", (event) => (post.disabled = event.detail === 0));
      const form = h("form", { class: "compose" }, h("div", { class: "field" }, field.area, field.counter), h("div", { class: "row" },
        onDone ? h("button", { type: "button", text: this.t("cancel"), onclick: () => onDone(null) }) : null, post));
      field.area.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
      });
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = { body: field.area.value };
        if (parent) body.parent_id = parent.id;
        const comment = await this.run(() => request("POST", `/articles/${enc(this.articleId)}/comments`, { body }), post);
        if (!comment) return;
        field.area.value = "";
        field.update();
        this.say(this.t({ published: "posted", rejected: "postedRejected" }[comment.status] || "postedHeld"));
        if (onDone) onDone(comment);
        else {
          this.empty.hidden = true;
          const firstUnpinned = [...this.list.children].find((li) => li.dataset.pinned !== "true");
          this.list.insertBefore(this.renderComment(comment), firstUnpinned || null);
        }
        this.refreshArticle();
      });
      if (!parent) this.compose = field.area;
      return form;
    }

    async loadComments(reset) {
      if (reset) {
        this.cursor = null;
        this.list.replaceChildren(h("li", { class: "loading", text: this.t("loading") }));
      }
      const query = new URLSearchParams({ sort: this.sort, limit: "10" });
      if (this.cursor) query.set("cursor", this.cursor);
      const page = await this.run(() => request("GET", `/articles/${enc(this.articleId)}/comments?${query}`), this.more);
      if (reset) this.list.replaceChildren();
      if (!page) return;
      for (const comment of page.items) this.list.append(this.renderComment(comment));
      this.cursor = page.next_cursor;
      this.more.hidden = !this.cursor;
      this.empty.hidden = this.list.children.length > 0;
    }

    renderComment(c) {
      const mine = this.me && c.author && c.author.id === this.me;
      const li = h("li", { class: "comment", "data-id": String(c.id), "data-status": c.status, "data-pinned": String(!!c.pinned) });
      const name = (c.author && (c.author.name || c.author.id)) || "—";
      const created = new Date(c.created_at);
      const meta = h("div", { class: "meta" },
        h("span", { class: "avatar", "aria-hidden": "true", text: [...name][0].toUpperCase() }),
        h("strong", { class: "author", text: name }),
        mine ? h("span", { class: "badge", text: this.t("you") }) : null,
        h("time", { datetime: c.created_at, title: created.toLocaleString(this.lang), text: this.ago(created) }),
        c.edited_at ? h("span", { class: "edited", text: `· ${this.t("edited")}` }) : null,
        c.pinned ? h("span", { class: "badge pin", text: this.t("pinned") }) : null);
      li.append(meta);
      if (c.deleted) {
        li.classList.add("deleted");
        li.append(h("p", { class: "body muted", text: this.t("deleted") }));
        return li;
      }
      const bodyEl = h("p", { class: "body", dir: "auto", text: c.body || "" });
      li.append(bodyEl);
      if (c.status === "pending_review" || c.status === "rejected") {
        li.classList.add("held");
        li.append(h("p", { class: "notice", role: "note", text: this.t(c.status === "rejected" ? "rejectedOwn" : "held", { reason: this.reasonText(c) }) }));
        if (c.status === "pending_review" && mine) this.watch(c);
      }
      const actions = h("div", { class: "actions" });
      if (c.status === "published") {
        const like = h("button", { type: "button", class: "like", "aria-pressed": String(!!c.liked), "aria-label": this.t("like"), disabled: !this.me },
          icon("like"), h("span", { class: "count", text: this.numbers.format(c.like_count || 0) }));
        like.addEventListener("click", async () => {
          const liked = like.getAttribute("aria-pressed") === "true";
          const state = await this.run(() => request(liked ? "DELETE" : "PUT", `/comments/${c.id}/like`), like);
          if (!state) return;
          like.setAttribute("aria-pressed", String(state.liked));
          like.querySelector(".count").textContent = this.numbers.format(state.like_count);
        });
        actions.append(like);
        if (this.me && !c.parent_id) actions.append(h("button", { type: "button", text: this.t("reply"), onclick: () => this.openReply(li, c) }));
        if (this.me && !mine) actions.append(h("button", { type: "button", text: this.t("report"), onclick: (e) => this.openReport(li, c, e.currentTarget) }));
      }
      if (mine && this.editable(c)) actions.append(h("button", { type: "button", text: this.t("edit"), onclick: () => this.openEdit(li, c, bodyEl) }));
      if (mine || this.canModerate) {
        const del = h("button", { type: "button", class: "danger", text: this.t("delete") });
        del.addEventListener("click", async () => {
          if (del.dataset.confirm !== "true") {
            del.dataset.confirm = "true";
            del.textContent = this.t("confirmDelete");
            return;
          }
          const gone = await this.run(async () => (await request("DELETE", `/comments/${c.id}`), true), del);
          if (gone) {
            li.replaceWith(this.renderComment({ ...c, deleted: true, body: null }));
            this.refreshArticle();
          }
        });
        actions.append(del);
      }
      if (this.canModerate && !c.parent_id && c.status === "published") {
        const pin = h("button", { type: "button", "aria-pressed": String(!!c.pinned), text: c.pinned ? this.t("unpin") : this.t("pin") });
        pin.addEventListener("click", async () => {
          const done = await this.run(async () => (await request(c.pinned ? "DELETE" : "PUT", `/comments/${c.id}/pin`), true), pin);
          if (!done) return;
          this.say(c.pinned ? this.t("commentUnpinned") : this.t("commentPinned"));
          await this.loadComments(true);
        });
        actions.append(pin);
      }
      li.append(actions);
      if (!c.parent_id) {
        const replies = h("ul", { class: "replies" });
        li.append(replies);
        if (c.reply_count > 0) {
          const toggle = h("button", { type: "button", class: "link", "aria-expanded": "false", text: this.t("showReplies", { n: this.numbers.format(c.reply_count) }) });
          toggle.addEventListener("click", async () => {
            const open = toggle.getAttribute("aria-expanded") === "true";
            toggle.setAttribute("aria-expanded", String(!open));
            toggle.textContent = open ? this.t("showReplies", { n: this.numbers.format(c.reply_count) }) : this.t("hideReplies");
            replies.replaceChildren();
            if (!open) await this.loadReplies(c, replies, null);
          });
          li.insertBefore(toggle, replies);
        }
      }
      return li;
    }

    async loadReplies(parent, list, cursor) {
      const query = new URLSearchParams({ parent_id: String(parent.id), sort: "oldest", limit: "20" });
      if (cursor) query.set("cursor", cursor);
      const page = await this.run(() => request("GET", `/articles/${enc(this.articleId)}/comments?${query}`));
      if (!page) return;
      for (const reply of page.items) list.append(this.renderComment(reply));
      if (page.next_cursor) {
        const more = h("li", {}, h("button", { type: "button", class: "more", text: this.t("loadMore"), onclick: () => { more.remove(); this.loadReplies(parent, list, page.next_cursor); } }));
        list.append(more);
      }
    }

    editable(c) {
      const windowMs = (this.config.edit_window_seconds || 0) * 1000;
      return Date.now() - new Date(c.created_at).getTime() < windowMs;
    }

    ago(date) {
      const seconds = Math.round((date.getTime() - Date.now()) / 1000);
      const format = new Intl.RelativeTimeFormat(this.lang, { numeric: "auto" });
      for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
        if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
      }
      return format.format(0, "second");
    }

    openReply(li, c) {
      if (li.querySelector(":scope > .compose")) return li.querySelector(":scope > .compose textarea").focus();
      const form = this.composer(c, (reply) => {
        form.remove();
        if (!reply) return;
        li.querySelector(":scope > .replies").append(this.renderComment(reply));
      });
      li.insertBefore(form, li.querySelector(":scope > .replies"));
      form.querySelector("textarea").focus();
    }

    openEdit(li, c, bodyEl) {
      if (li.querySelector(":scope > .edit")) return;
      const field = this.textField(this.t("edit"));
      field.area.value = c.body || "";
      field.update();
      const save = h("button", { type: "submit", class: "primary", text: this.t("save") });
      const form = h("form", { class: "edit" }, h("div", { class: "field" }, field.area, field.counter),
        h("div", { class: "row" }, h("button", { type: "button", text: this.t("cancel"), onclick: () => { form.remove(); bodyEl.hidden = false; } }), save));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const updated = await this.run(() => request("PATCH", `/comments/${c.id}`, { body: { body: field.area.value } }), save);
        if (!updated) return;
        const fresh = this.renderComment(updated);
        li.replaceWith(fresh);
        const focusable = fresh.querySelector("button");
        if (focusable) focusable.focus();
      });
      bodyEl.hidden = true;
      bodyEl.after(form);
      field.area.focus();
    }

    openReport(li, c, opener) {
      if (li.querySelector(":scope > .report")) return;
      const select = h("select", { "aria-label": this.t("reportReason") }, REPORT_REASONS.map((r) => h("option", { value: r, text: this.t(`reasons_${r}`) })));
      const send = h("button", { type: "submit", class: "primary", text: this.t("report") });
      const form = h("form", { class: "report row" }, h("label", {}, this.t("reportReason"), " ", select),
        h("button", { type: "button", text: this.t("cancel"), onclick: () => { form.remove(); opener.focus(); } }), send);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const done = await this.run(async () => (await request("POST", `/comments/${c.id}/reports`, { body: { reason: select.value } }), true), send);
        if (!done) return;
        form.remove();
        this.say(this.t("reportSent"));
        opener.focus();
      });
      li.querySelector(":scope > .actions").after(form);
      select.focus();
    }

    // The author's held comments are re-read until a moderator decides, so an approval shows without a reload.
    watch(c) {
      this.held.set(c.id, c);
      if (this.pollTimer) return;
      const seconds = Number(this.host.dataset.pollSeconds) || 5;
      this.pollTimer = setInterval(async () => {
        for (const id of [...this.held.keys()]) {
          let fresh;
          try {
            fresh = await request("GET", `/comments/${id}`);
          } catch {
            continue;
          }
          if (fresh.status === "pending_review") continue;
          this.held.delete(id);
          const old = this.list.querySelector(`li[data-id="${id}"]`);
          if (old) old.replaceWith(this.renderComment(fresh));
          this.refreshArticle();
        }
        if (!this.held.size) {
          clearInterval(this.pollTimer);
          this.pollTimer = null;
        }
      }, seconds * 1000);
    }

    stop() {
      if (this.pollTimer) clearInterval(this.pollTimer);
      this.pollTimer = null;
      this.held.clear();
    }
  }

  const widgets = new Map();

  function scan() {
    for (const host of document.querySelectorAll("[data-engagement-article]")) {
      if (widgets.has(host)) continue;
      const widget = new Widget(host);
      widgets.set(host, widget);
      widget.start();
    }
  }

  // The host page tells the widgets its reader changed (signed in, out, or switched): they re-render.
  function refresh() {
    for (const widget of widgets.values()) {
      widget.stop();
      widget.openPanel = null;
      widget.start();
    }
  }

  window.EngagementWidget = { scan, refresh, cleanText, countText };
  document.addEventListener("engagement:auth-changed", refresh);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
