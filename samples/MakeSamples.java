import java.awt.*;
import java.awt.geom.*;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Makes the bundled sample images: 8 synthetic 320x240 JPEG pictures (shapes and gradients from a fixed seed), so
 * that the demo and the benchmarks send real JPEG decode work without shipping anyone's photos.
 * Run: java samples/MakeSamples.java samples/images
 */
public class MakeSamples {
    public static void main(String[] args) throws Exception {
        File dir = new File(args.length > 0 ? args[0] : "samples/images");
        dir.mkdirs();
        SplittableRandom r = new SplittableRandom(20261122L);
        for (int i = 0; i < 8; i++) {
            BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, 0, new Color(r.nextInt(0xffffff)), 320, 240, new Color(r.nextInt(0xffffff))));
            g.fillRect(0, 0, 320, 240);
            for (int k = 0; k < 12; k++) {
                g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256), 160 + r.nextInt(96)));
                double x = r.nextDouble() * 300, y = r.nextDouble() * 220, w = 20 + r.nextDouble() * 140, h = 20 + r.nextDouble() * 120;
                Shape s = switch (k % 3) {
                    case 0 -> new Ellipse2D.Double(x, y, w, h);
                    case 1 -> new Rectangle2D.Double(x, y, w, h);
                    default -> new RoundRectangle2D.Double(x, y, w, h, 25, 25);
                };
                g.fill(s);
            }
            g.dispose();
            ImageIO.write(img, "jpg", new File(dir, String.format("sample-%02d.jpg", i)));
        }
    }
}
