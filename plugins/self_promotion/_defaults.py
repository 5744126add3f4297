"""Shipped default lists: promotion targets, shorteners, referral parameters and call-to-action phrases.

Written from general knowledge of how self-promotion looks on chat platforms; admins extend
or clear every list in their community's config.
"""

from __future__ import annotations

# Everyday reference sites: links there do not add `unknown_link` (context signals still apply).
COMMON_DOMAINS = (
    "youtube.com", "youtu.be", "wikipedia.org", "wikimedia.org", "github.com", "gitlab.com", "reddit.com",
    "redd.it", "twitter.com", "x.com", "imgur.com", "google.com", "stackoverflow.com", "stackexchange.com",
    "steamcommunity.com", "steampowered.com", "twitch.tv/videos/", "clips.twitch.tv", "spotify.com",
    "apple.com", "microsoft.com", "mozilla.org", "python.org", "bbc.co.uk", "bbc.com", "nytimes.com",
    "theguardian.com", "archive.org", "discord.com", "discordapp.com", "pastebin.com", "gist.github.com",
)

PROMO_DOMAINS = (
    # video and stream channels (channel pages, not single videos)
    "youtube.com/channel/", "youtube.com/c/", "youtube.com/user/", "youtube.com/@", "twitch.tv",
    "kick.com", "trovo.live", "tiktok.com/@", "dlive.tv", "rumble.com/c/", "vimeo.com/user",
    # music and creator pages
    "soundcloud.com", "bandcamp.com", "audiomack.com", "reverbnation.com", "open.spotify.com/artist/",
    "music.apple.com/artist", "onlyfans.com", "fansly.com",
    # donation and crowdfunding
    "patreon.com", "ko-fi.com", "buymeacoffee.com", "paypal.me", "cash.app", "venmo.com/u/",
    "gofundme.com", "kickstarter.com", "indiegogo.com", "streamlabs.com", "streamelements.com",
    "donationalerts.com", "tipeeestream.com", "gogetfunding.com", "fundrazr.com", "liberapay.com",
    "change.org", "avaaz.org",
    # storefronts
    "etsy.com", "teespring.com", "spri.ng", "redbubble.com", "teepublic.com", "spreadshirt.com",
    "sunfrog.com", "sellfy.com", "gumroad.com", "myshopify.com", "bigcartel.com", "fiverr.com",
    "ebay.com/itm/", "ebay.com/usr/", "ebay.com/str/", "depop.com", "payhip.com", "store.steampowered.com/curator/",
    # link-in-bio pages
    "linktr.ee", "beacons.ai", "lnk.bio", "carrd.co", "bio.link", "solo.to", "allmylinks.com",
    "campsite.bio", "tap.bio", "linkin.bio", "hoo.be", "msha.ke", "snipfeed.co", "withkoji.com",
    # messenger channels and groups
    "t.me", "telegram.me", "telegram.dog", "chat.whatsapp.com", "wa.me", "whatsapp.com/channel/",
    "signal.group", "line.me", "kik.me", "vk.com", "groupme.com/join_group",
    # server listings and social profile hubs
    "disboard.org", "discord.me", "dsc.gg", "top.gg/servers", "discords.com/servers", "discadia.com",
    "discordservers.com", "facebook.com/pages/", "facebook.com/groups/", "fb.me", "instagram.com",
)

# Sites that scams pass themselves off as ("free nitro" and fake trade links): links to names
# made to look like these weigh `lookalike_domain`.
PROTECTED_DOMAINS = (
    "discord.com", "discord.gg", "discordapp.com", "discordapp.net", "discord.gift", "discord.media",
    "discord.new", "discord.dev", "discord.co", "discordstatus.com", "discordmerch.com",
    "steamcommunity.com", "steampowered.com", "steamstatic.com", "epicgames.com", "roblox.com",
    "paypal.com", "paypal.me",
)

SHORTENERS = (
    "bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly", "adf.ly",
    "shorte.st", "sh.st", "bc.vc", "cutt.ly", "rebrand.ly", "tiny.cc", "shorturl.at", "rb.gy",
    "t.ly", "s.id", "ouo.io", "exe.io", "adfoc.us", "short.io", "tr.im", "x.co", "soo.gd",
    "clck.ru", "u.to", "qr.net", "lnkd.in", "smarturl.it", "trib.al", "dlvr.it", "po.st",
    "snip.ly", "bl.ink", "urlz.fr", "shrtco.de", "tny.im", "zpr.io", "mcaf.ee", "su.pr",
    "j.mp", "amzn.to", "2no.co", "iplogger.org", "grabify.link", "link.tl", "shrinkme.io", "gestyy.com",
)

AFFILIATE_PARAMS = (
    "ref", "referral", "referrer", "ref_id", "refid", "ref_code", "refcode", "referral_code",
    "aff", "aff_id", "affid", "affiliate", "affiliate_id", "affiliateid", "aff_sub", "partner",
    "partner_id", "partnerid", "invite_code", "invitecode", "promo", "promocode", "promo_code",
    "coupon", "friend", "rfsn", "irclickid", "clickid", "sponsor", "sponsorid", "upline",
    "r_id", "rid", "rcode", "referer", "inviter", "recommend",
)

# Path segments that mark a referral or affiliate link: /ref/abc, /aff/abc, /referral/abc.
AFFILIATE_PATHS = ("ref", "refer", "referral", "referrals", "aff", "affiliate", "affiliates", "invite", "join", "r")

# Call-to-action phrases in Discord AutoMod wildcard syntax, matched on normalised words.
# Each group counts once per message; groups add up.
CTA_GROUPS = {
    "explicit_plug": (1.0, (
        "subscribe to me", "subscribe to my", "subscribe my", "subscribe me", "subscribe to our",
        "sub to me", "sub to my", "sub my", "sub me", "sub to our", "subs to my",
        "sub4sub", "sub 4 sub", "sub for sub", "subforsub",
        "subscribe back", "sub back", "sub u back", "sub you back", "subscribe 4 subscribe",
        "subscribe for subscribe", "follow 4 follow", "follow for follow", "f4f", "l4l", "like 4 like",
        "like for like", "link in bio", "link in my bio", "link in my profile", "link on my profile",
        "use my code", "use my referral", "my referral*", "my ref link", "my ref code", "my invite link",
        "my affiliate*", "referral code", "referral link", "new youtuber", "small youtuber",
        "upcoming youtuber", "support my channel", "grow my channel", "check out my channel",
        "check my channel", "visit my channel", "watch my videos", "check out my videos",
        "check my videos", "check out my video", "check my video", "follow my channel",
        "follow me on twitch", "follow me on instagram", "follow me on twitter", "follow me on tiktok",
        "follow me on insta", "follow me on ig", "add me on facebook", "like my page", "like our page",
        "like my facebook", "subscribe and like", "like and subscribe", "like comment and subscribe",
        "like comment subscribe", "check out my music", "listen to my music", "listen to my new", "go to my channel",
        "come to my channel", "watch my new", "watch my latest", "check out our channel",
        "please check out my", "plz check out my", "pls check out my", "please subscribe", "plz subscribe",
        "pls subscribe", "subscribe please", "subscribe plz", "subscribe pls", "please sub", "plz sub",
        "pls sub", "come subscribe", "go subscribe", "subscribe to us", "sub to us", "subscribe if",
        "subscribe for more", "like and subscrib*", "watch my video", "watch my stream", "watch my channel",
        "listen to my song", "listen to my track", "listen to my mixtape", "visit my channel",
        "check out my youtube", "check out my twitch", "check out my stream",
    )),
    "self_reference": (0.65, (
        "my channel", "my channels", "our channel", "my new channel",
        "my youtube", "my yt", "my twitch", "my stream", "my streams", "my vlog*", "my videos",
        "my new video", "my latest video", "my first video", "my vids", "my vid", "my vidz",
        "my music video*", "my new song", "my new single", "my mixtape", "my album", "my covers",
        "my cover of", "my podcast", "my playlist", "my content", "my fan page", "my fanpage",
        "my instagram", "my insta", "my tiktok", "my soundcloud", "my spotify", "my patreon",
        "my onlyfans", "my etsy", "my merch", "my shop", "my store", "our new song", "our new video",
        "our music", "our band", "our page", "my rap", "my beats", "my remix*", "my gaming channel",
        "my music channel", "check out my", "check out our", "visit my", "visit our",
        "support my", "support our", "did a cover", "i upload", "i upload daily", "i upload weekly",
        "i make videos", "i make music", "i make beats", "my newest", "our newest", "my latest", "our latest",
        "check me out", "check us out", "checking me out", "like this comment", "like my comment",
        "made a new channel", "made a channel", "started a channel", "started my channel",
        "started a youtube channel", "new youtube channel", "made a gaming channel",
        "my course", "my online course", "my ebook", "my e book", "my newsletter", "my saas",
        "my starter kit", "my templates",
    )),
    "offer": (0.65, (
        "free gift card*", "gift card codes", "free robux",
        "free vbucks", "free v bucks", "free nitro", "free discord nitro", "nitro for free", "nitro giveaway",
        "free followers", "free subscribers", "free likes",
        "free views", "earn money", "earn real money", "make money online", "get paid to", "earn cash", "extra cash", "passive income", "work from home",
        "promo code", "discount code", "coupon code", "use code", "limited offer",
        "limited time offer", "sign up now", "register here", "join now", "buy now", "order now",
        "shop now", "click the link", "click this link", "click here", "click link", "dm me for",
        "message me for", "pm me for", "hmu for", "paypal money",
        "*0 off", "*5 off", "percent off", "this week only", "today only", "limited time only",
        "launch discount", "early bird price",
    )),
    "soft_cta": (0.4, (
        "check out", "check this out", "check it out", "check this", "check them out", "check em out",
        "giveaway", "giveaways", "give away", "giving away", "make money", "making money", "get paid", "free money", "come check", "go check", "please check", "plz check", "pls check",
        "please like", "plz like", "pls like", "like this comment", "like my comment", "please share",
        "share this", "please subscribe", "plz subscribe", "pls subscribe", "please sub", "plz sub",
        "pls sub", "subscribe", "subscribed", "subscribers", "subscriber", "subs", "support me", "support us", "vote for", "please donate",
        "donate", "sign the petition", "come watch", "thanks for watching", "follow me", "follow us",
        "add me", "dm me", "hit the like", "smash the like", "leave a like", "give it a like",
        "drop a like", "thumbs up if", "like if", "take a look",
    )),
    "platform": (0.3, (
        "on youtube", "on yt", "on twitch", "on instagram", "on insta", "on ig", "on twitter", "on facebook",
        "on fb", "on tiktok", "on soundcloud", "on spotify", "on bandcamp", "on patreon", "on kik",
        "on skype", "on snapchat", "on snap", "on telegram", "on whatsapp", "youtube channel", "yt channel",
        "twitch channel", "my kik", "my skype", "my snapchat", "my snap", "kik me", "snap me",
    )),
    "growth_ask": (0.3, (
        "help me reach", "help me get", "help us reach", "help us get", "help me out", "help me grow",
        "my goal", "reach my goal", "if i get", "if i reach", "if we get", "if we reach", "become my first",
        "my first subscriber", "my first subscribers", "i sub back", "i ll sub back", "shout out",
    )),
    "weak_cta": (0.2, (
        "go to", "visit", "download", "register", "sign up", "join us", "join me", "come join", "watch this",
        "listen to this", "look at this", "my page", "my website", "my site", "my blog", "my app",
        "my server", "my discord", "my twitter", "my facebook", "my fb", "my ig", "my music", "my song",
        "my work", "my art", "my game", "please help",
    )),
}

# A newcomer's message without a link or invite that asks for help is not a pitch: "can someone
# check out my code? it throws a KeyError", "my channel disappeared, anyone know why?". Its
# phrases then get no newcomer boost. One help-seeking phrase is enough; not the openers a pitch
# uses too ("does anyone want", "can someone help me reach", "any tips welcome").
HELP_PHRASES = (
    "how do i", "how can i", "how should i", "how would i", "anyone know*", "anybody know*",
    "any idea*", "any clue*", "is there a way", "what am i doing wrong", "what am i missing",
    "what's wrong", "what is wrong", "why does", "why do", "why is", "why isn't", "why doesn't",
    "why won't", "why can't", "i'm stuck", "i am stuck", "stuck on", "stuck with",
)

# Troubleshooting words and what is shown to helpers: two different ones, or one in a message with
# a question mark, make a help request ("check out my screenshot, the button is greyed out"). One
# alone does not: a pitch names them too ("my new mod fixes the crash on startup").
PROBLEM_PHRASES = (
    "error*", "exception*", "traceback*", "stack trace*", "stacktrace*", "bug", "bugs", "buggy",
    "crash*", "fail*", "broke", "broken", "not working", "doesn't work*", "don't work*",
    "isn't working", "won't work", "won't start", "won't load", "won't open", "stopped working",
    "stopped responding", "not responding", "not loading", "not showing", "keeps crashing", "timed out",
    "permission*", "greyed out", "grayed out", "throws*", "my code", "my script", "config*", "settings",
    "my setup", "my log", "my logs", "the log", "the logs", "screenshot*", "my output", "my query",
)
