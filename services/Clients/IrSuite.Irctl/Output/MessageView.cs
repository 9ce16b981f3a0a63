using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace IrSuite.Irctl.Output;

/// <summary>Any response as a tree of its set fields (unset and default fields are left out), by protobuf reflection.</summary>
public static class MessageView
{
    public static Tree Tree(IMessage message, string? title = null)
    {
        var tree = new Tree(new Markup($"[bold]{Markup.Escape(title ?? message.Descriptor.Name)}[/]"));
        AddFields(tree, message);
        return tree;
    }

    private static void AddFields(IHasTreeNodes parent, IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var list = (IList)value;
                if (list.Count == 0)
                {
                    continue;
                }

                if (field.FieldType == FieldType.Message)
                {
                    var node = parent.AddNode(Label(field.Name, $"{list.Count}"));
                    var index = 0;
                    foreach (IMessage item in list)
                    {
                        index++;
                        AddMessage(node, $"#{index}", item);
                    }
                }
                else
                {
                    parent.AddNode(Label(field.Name, string.Join(", ", list.Cast<object>().Select(v => Formats.Scalar(field, v)))));
                }

                continue;
            }

            if (field.FieldType == FieldType.Message)
            {
                if (value is IMessage nested)
                {
                    AddMessage(parent, field.Name, nested);
                }

                continue;
            }

            if (!IsSet(field, message, value))
            {
                continue;
            }

            parent.AddNode(Label(field.Name, Formats.Scalar(field, value)));
        }
    }

    private static void AddMessage(IHasTreeNodes parent, string name, IMessage message)
    {
        if (message is Timestamp or Duration)
        {
            parent.AddNode(Label(name, Formats.Scalar(message.Descriptor.Fields.InFieldNumberOrder()[0], message)));
            return;
        }

        AddFields(parent.AddNode(new Markup($"[bold]{Markup.Escape(name)}[/]")), message);
    }

    private static bool IsSet(FieldDescriptor field, IMessage message, object? value)
    {
        if (field.HasPresence)
        {
            return field.Accessor.HasValue(message);
        }

        return value switch
        {
            null => false,
            string s => s.Length > 0,
            bool b => b,
            ByteString b => b.Length > 0,
            System.Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) != 0,
            int i => i != 0,
            long l => l != 0,
            uint u => u != 0,
            ulong u => u != 0,
            double d => d != 0,
            float f => f != 0,
            _ => true,
        };
    }

    private static IRenderable Label(string name, string value) =>
        new Markup($"{Markup.Escape(name)}: [green]{Markup.Escape(value)}[/]");
}
