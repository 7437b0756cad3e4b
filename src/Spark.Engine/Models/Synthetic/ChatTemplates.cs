namespace Spark.Engine.Models.Synthetic;

/// <summary>Chat templates written into synthetic vocabularies, in the Jinja subset GGUF files use.</summary>
internal static class ChatTemplates
{
    /// <summary>ChatML, as Qwen2.5 uses it (without the tool-calling branches).</summary>
    public const string ChatMl =
        "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
        "{%- else %}{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{%- endif %}" +
        "{%- for message in messages %}{%- if message['role'] != 'system' or not loop.first %}" +
        "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endif %}{%- endfor %}" +
        "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    /// <summary>Llama 3's header/eot template.</summary>
    public const string Llama3 =
        "{% set loop_messages = messages %}{% for message in loop_messages %}" +
        "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' %}" +
        "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /// <summary>Llama 2's [INST] template, for the SentencePiece vocabulary.</summary>
    public const string Llama2 =
        "{% if messages[0]['role'] == 'system' %}{% set system_message = '<<SYS>>\\n' + messages[0]['content'] | trim + '\\n<</SYS>>\\n\\n' %}" +
        "{% set messages = messages[1:] %}{% else %}{% set system_message = '' %}{% endif %}" +
        "{% for message in messages %}{% if loop.index0 == 0 %}{% set content = system_message + message['content'] %}" +
        "{% else %}{% set content = message['content'] %}{% endif %}" +
        "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content | trim + ' [/INST]' }}" +
        "{% elif message['role'] == 'assistant' %}{{ ' ' + content | trim + ' ' + eos_token }}{% endif %}{% endfor %}";
}
